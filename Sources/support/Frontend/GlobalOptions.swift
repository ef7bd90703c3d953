import ArgumentParser

/// Options every command takes, before or after its name (`support ticket list --json`).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Database file (default: $SUPPORT_DB, else $XDG_DATA_HOME/support/support.db).", valueName: "path"),
            completion: .file())
    var db: String?

    @Option(name: .customLong("as"), parsing: .unconditional, help: ArgumentHelp("Act as this person (default: $SUPPORT_AS, else the local operator).", valueName: "email"))
    var actAs: String?

    @Flag(name: .long, help: "Print results as JSON (errors as JSON on stderr).")
    var json = false

    @Flag(name: .long, help: "Log what happens to stderr.")
    var verbose = false
}
