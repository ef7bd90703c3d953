import ArgumentParser
import SupportCore

extension Ticket {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Show who changed what on a ticket, oldest first (kept after deletion)."
        )

        @Argument(help: ArgumentHelp("The ticket: ST-2026-042, or 42 / #42 (this year's 42nd, else the only one numbered 42).", valueName: "ticket"))
        var number: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                let events = try desk.history(of: try desk.ticketReference(number))
                frontend.emit(json: JSONRenderer.history(events)) { $0.history(events) }
            }
        }
    }
}
