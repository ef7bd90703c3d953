import ArgumentParser
import Foundation
import SupportCore

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Move the desk to another database (admin only).",
        subcommands: [Copy.self]
    )

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy this SQLite desk, whole, into an empty PostgreSQL database.",
            discussion: """
                Everything is copied with its ids: users, tickets, replies and internal notes, files, the audit trail, \
                the outbox and its attempts, incoming mail, settings, the desk's secrets and token generations, so \
                ticket numbers, threading of mail replies and issued tokens keep working on the new desk. The copy is \
                one PostgreSQL transaction: if it fails or is stopped, the target stays empty. The SQLite desk is read \
                from one snapshot and left as it is. The password comes from PGPASSWORD or ~/.pgpass, never from --to; \
                or name the target with --to-config, a config file whose [postgres] section (its password included) \
                names it, read with the same checks as --config.
                """
        )

        @Option(parsing: .unconditional, help: ArgumentHelp("The empty PostgreSQL desk: postgresql://USER@HOST:PORT/DATABASE.",
                                                            valueName: "url"))
        var to: String?

        // Not the global --config: that one names the desk copied from, and goes with --db no more
        // than here (an admin moving an SQLite desk names it with --db).
        @Option(name: .customLong("to-config"), parsing: .unconditional,
                help: ArgumentHelp("A config file whose [postgres] section names the empty PostgreSQL desk (mode 0600).",
                                   valueName: "file"))
        var toConfig: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            switch (to, toConfig) {
            case (nil, nil): throw ValidationError("name the PostgreSQL desk with --to postgresql://… or --to-config FILE")
            case (.some, .some): throw ValidationError("--to and --to-config both name the target; give one")
            case (.some(let to), nil):
                guard PostgresLocation.isPostgres(to) else { throw ValidationError("--to must be a postgresql:// address") }
            case (nil, .some(let file)):
                guard !file.isEmpty else { throw ValidationError("--to-config must name a file") }
            }
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                try PinnedMode.refuse("support db copy", "run it as the desk's owner, outside the pinned wrapper")
                // The driver lives in support-pg (SWIFT-FACTS.md: NIO costs every command its
                // start-up): this binary hands the whole command over to it.
                if !Frontend.canReachPostgres {
                    try ServerHandOver.exec(Array(CommandLine.arguments.dropFirst()), program: "support-pg")
                }
                let desk = try frontend.desk()
                let timeout = Double(Frontend.environment("SUPPORT_BUSY_TIMEOUT") ?? "") ?? 5
                let environment = ProcessInfo.processInfo.environment, home = Frontend.environment("HOME")
                let target: DeskStorage
                if let to {
                    target = try DeskStorage.postgres(to, environment: environment, home: home, busyTimeout: timeout, logger: frontend.logger)
                } else {
                    let file = toConfig ?? ""
                    guard case .postgres(let settings) = try DeskConfigFile.load(file).desk else {
                        throw SupportError.configuration("config file \(Validation.printable(file, limit: 300)) has no [postgres] section to copy into")
                    }
                    target = try DeskStorage.postgres(settings, environment: environment, home: home, busyTimeout: timeout, logger: frontend.logger)
                }
                defer { try? target.close() }
                let quiet = global.json || isatty(STDERR_FILENO) != 1
                let counts = try desk.copyDesk(to: target) { table, rows in
                    if !quiet { Output.note("copied \(rows) rows of \(table)") }
                }
                frontend.emit(json: JSONRenderer.deskCopied(counts)) { _ in
                    "Copied the desk into \(target.description): "
                        + counts.filter { $0.rows > 0 }.map { "\($0.rows) \($0.table)" }.joined(separator: ", ") + "."
                }
            }
        }
    }
}
