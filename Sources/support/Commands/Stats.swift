import ArgumentParser
import Foundation
import SupportCore

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Ticket volume, response and resolution times, backlog and mail delivery (staff only)."
    )

    @Option(parsing: .unconditional, help: ArgumentHelp("Tickets created at or after DATE: " + DateInput.help + ".", valueName: "date"))
    var since: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Tickets created before DATE (a bare day includes that day).", valueName: "date"))
    var until: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Frontend.run(global) { frontend in
            let now = Date()
            let from = try since.map { try DateInput.parse($0, now: now, field: "--since", zone: .current) }
            let to = try until.map { try DateInput.parse($0, now: now, bound: .end, field: "--until", zone: .current) }
            let stats = try frontend.desk().statistics(since: from, until: to, zone: .current)
            frontend.emit(json: StatisticsRenderer.json(stats)) { StatisticsRenderer.text(stats, style: $0.style) }
        }
    }
}
