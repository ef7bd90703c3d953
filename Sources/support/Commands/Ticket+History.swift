import ArgumentParser
import SupportCore

extension Ticket {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Show who changed what on a ticket, oldest first (kept after deletion)."
        )

        @Argument(help: ArgumentHelp("The ticket number, e.g. ST-2026-001.", valueName: "ticket"))
        var number: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let number = try TicketNumber.parse(number)
                let events = try frontend.desk().history(of: number)
                frontend.emit(json: JSONRenderer.history(events)) { $0.history(events) }
            }
        }
    }
}
