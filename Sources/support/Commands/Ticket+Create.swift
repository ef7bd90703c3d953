import ArgumentParser
import SupportCore

extension Ticket {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Open a ticket.",
            discussion: "The message comes from --message, from stdin with --message -, or from $EDITOR on a terminal."
        )

        @Option(parsing: .unconditional, help: "One line, at most 200 characters.")
        var subject: String

        @Option(parsing: .unconditional, help: ArgumentHelp("technical-issue, account-issue, feature-request, general-inquiry or bug-report.", valueName: "category"),
                completion: .list(TicketCategory.allCases.map(\.slug)))
        var category: String

        @Option(parsing: .unconditional, help: ArgumentHelp("low, medium (default), high or critical.", valueName: "priority"),
                completion: .list(TicketPriority.allCases.map(\.slug)))
        var priority: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("The description, or - to read it from stdin.", valueName: "text"))
        var message: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Open it for this requester (staff only); created as a user if new.", valueName: "email"))
        var requester: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("The requester's name, when they are new.", valueName: "name"))
        var name: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Assign it to this staff member, or me (staff only); they are mailed unless it is you.", valueName: "email|me"))
        var assign: String?

        @Option(name: .customLong("attach"), parsing: .unconditionalSingleValue, help: ArgumentHelp("Attach this file (repeat for more); limits: attachment_max_bytes, attachment_max_total_bytes.", valueName: "file"), completion: .file())
        var attach: [String] = []

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let category = try TicketCategory.parse(category)
                let priority = try priority.map { try TicketPriority.parse($0) } ?? .medium
                let text = try MessageInput.read(message)
                let desk = try frontend.desk()
                var request = NewTicket(subject: subject, message: text, category: category, priority: priority,
                                        requesterEmail: requester, requesterName: name)
                request.assignee = assign
                let ticket = try desk.createTicket(request, attachments: try AttachmentFiles.read(attach, desk: desk))
                frontend.emit(json: JSONRenderer.ticket(ticket)) { _ in "Created \(ticket.ticketNumber)." }
            }
        }
    }
}
