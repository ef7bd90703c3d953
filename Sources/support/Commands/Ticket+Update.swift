import ArgumentParser
import SupportCore

extension Ticket {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Change a ticket's fields, status or assignee (staff only).",
            discussion: "Resolving sets resolvedAt, closing sets closedAt; reopening (open, in-progress) clears both."
        )

        @Argument(help: ArgumentHelp("The ticket: ST-2026-042, or 42 / #42 (this year's 42nd, else the only one numbered 42).", valueName: "ticket"))
        var number: String

        @Option(parsing: .unconditional, help: "A new subject.")
        var subject: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("A new description, or - to read it from stdin.", valueName: "text"))
        var message: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("A new category.", valueName: "category"), completion: .list(TicketCategory.allCases.map(\.slug)))
        var category: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("A new priority.", valueName: "priority"), completion: .list(TicketPriority.allCases.map(\.slug)))
        var priority: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("A new status.", valueName: "status"), completion: .list(TicketStatus.allCases.map(\.slug)))
        var status: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Assign to this staff member, or me; they are mailed unless it is you.", valueName: "email|me"))
        var assign: String?

        @Flag(help: "Remove the assignee.")
        var unassign = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if assign != nil && unassign {
                throw ValidationError("--assign and --unassign cannot be used together")
            }
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                let number = try desk.ticketReference(number)
                var changes = TicketChanges()
                changes.subject = subject
                changes.message = try message.map { try MessageInput.read($0) }
                changes.category = try category.map { try TicketCategory.parse($0) }
                changes.priority = try priority.map { try TicketPriority.parse($0) }
                changes.status = try status.map { try TicketStatus.parse($0) }
                if let assign { changes.assignee = .assign(email: assign) }
                if unassign { changes.assignee = .unassign }
                let (ticket, changed) = try desk.applyChanges(number, changes)
                frontend.emit(json: JSONRenderer.ticket(ticket)) { _ in
                    changed ? "Updated \(ticket.ticketNumber)." : "Nothing changed: \(ticket.ticketNumber) already has those values."
                }
            }
        }
    }
}
