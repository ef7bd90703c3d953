import Foundation
import SupportCore
import Testing

extension Sandbox {
    /// Everything stored in the sandbox's database as the local operator sees it: every ticket with
    /// every reply, every user, every setting. Equal states mean a command changed nothing.
    /// Read in-process through the core (three runs of the binary per check would cost seconds).
    func storedState(path: String? = nil) throws -> String {
        let database = try AppDatabase.open(path: path ?? dbPath, createDirectory: false)
        let desk = HelpDesk(database: database, actor: .localOperator)
        var query = TicketQuery()
        query.limit = TicketQuery.maximumLimit
        // Every ticket with its replies (a list carries none).
        var tickets: [String] = []
        try desk.exportTickets(TicketQuery()) { tickets.append(JSONRenderer.line($0)) }
        return [
            JSONRenderer.page(try desk.listTickets(query)),
            tickets.joined(separator: "\n"),
            JSONRenderer.users(try desk.users()),
            JSONRenderer.settings(try desk.settings()),
        ].joined(separator: "\n")
    }
}
