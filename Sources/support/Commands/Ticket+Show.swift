import ArgumentParser
import SupportCore

extension Ticket {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a ticket with its conversation (internal notes for staff only).",
            aliases: ["view"]
        )

        @Argument(help: ArgumentHelp("The ticket: ST-2026-042, or 42 / #42 (this year's 42nd, else the only one numbered 42).", valueName: "ticket"))
        var number: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                let ticket = try desk.ticket(try desk.ticketReference(number))
                frontend.emit(json: JSONRenderer.ticket(ticket)) { $0.ticket(ticket) }
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete a ticket and its replies (admin only)."
        )

        @Argument(help: ArgumentHelp("The ticket: ST-2026-042, or 42 / #42 (this year's 42nd, else the only one numbered 42).", valueName: "ticket"))
        var number: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                let number = try desk.ticketReference(number)
                try desk.deleteTicket(number)
                frontend.emit(json: JSONRenderer.success()) { _ in "Deleted \(number)." }
            }
        }
    }
}
