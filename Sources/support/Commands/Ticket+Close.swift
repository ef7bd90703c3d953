import ArgumentParser
import SupportCore

extension Ticket {
    /// `ticket close REF`: `ticket update REF --status closed`, as gh's `issue close`.
    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close",
            abstract: "Close a ticket (staff only): ticket update --status closed."
        )

        @Argument(help: ArgumentHelp("The ticket: ST-2026-042, 42 or #42.", valueName: "ticket"))
        var number: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try StatusChange.run(number, to: .closed, global)
        }
    }

    /// `ticket reopen REF`: `ticket update REF --status open`.
    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reopen",
            abstract: "Reopen a resolved or closed ticket (staff only): ticket update --status open."
        )

        @Argument(help: ArgumentHelp("The ticket: ST-2026-042, 42 or #42.", valueName: "ticket"))
        var number: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try StatusChange.run(number, to: .open, global)
        }
    }
}

/// The one status change behind `ticket close` and `ticket reopen`.
enum StatusChange {
    static func run(_ reference: String, to status: TicketStatus, _ global: GlobalOptions) throws {
        try Frontend.run(global) { frontend in
            let desk = try frontend.desk()
            var changes = TicketChanges()
            changes.status = status
            let (ticket, changed) = try desk.applyChanges(try desk.ticketReference(reference), changes)
            frontend.emit(json: JSONRenderer.ticket(ticket)) { _ in
                changed ? "\(status == .closed ? "Closed" : "Reopened") \(ticket.ticketNumber)."
                    : "Nothing changed: \(ticket.ticketNumber) is already \(status.title.lowercased())."
            }
        }
    }
}
