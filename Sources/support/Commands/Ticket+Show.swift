import ArgumentParser
import SupportCore

extension Ticket {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a ticket with its conversation (internal notes for staff only)."
        )

        @Argument(help: ArgumentHelp("The ticket number, e.g. ST-2026-001.", valueName: "ticket"))
        var number: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let number = try TicketNumber.parse(number)
                let ticket = try frontend.desk().ticket(number)
                frontend.emit(json: JSONRenderer.ticket(ticket)) { $0.ticket(ticket) }
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete a ticket and its replies (admin only)."
        )

        @Argument(help: ArgumentHelp("The ticket number, e.g. ST-2026-001.", valueName: "ticket"))
        var number: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let number = try TicketNumber.parse(number)
                try frontend.desk().deleteTicket(number)
                frontend.emit(json: JSONRenderer.success()) { _ in "Deleted \(number)." }
            }
        }
    }
}
