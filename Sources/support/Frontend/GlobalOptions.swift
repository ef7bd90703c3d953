import ArgumentParser
import SupportCore

/// Options every command takes, before or after its name (`support ticket list --json`).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional,
            help: ArgumentHelp("Database file or postgresql:// address (default: $SUPPORT_DB, else the config file's desk, else $XDG_DATA_HOME/support/support.db).",
                               valueName: "path"),
            completion: .file())
    var db: String?

    @Option(name: .long, parsing: .unconditional,
            help: ArgumentHelp("Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).",
                               valueName: "file"),
            completion: .file())
    var config: String?

    @Option(name: .customLong("as"), parsing: .unconditional, help: ArgumentHelp("Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner's local operator).", valueName: "email"))
    var actAs: String?

    @Flag(name: .long, help: "Print results as JSON (errors as JSON on stderr).")
    var json = false

    @Flag(name: .long, help: "Log what happens to stderr.")
    var verbose = false

    @Option(name: .long, parsing: .unconditional,
            help: ArgumentHelp("auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.", valueName: "when"),
            completion: .list(ColorChoice.allCases.map(\.rawValue)))
    var color: String?

    func validate() throws {
        if db != nil, config != nil {
            throw ValidationError("--db and --config both name the desk; give one")
        }
        if let color, ColorChoice(rawValue: color) == nil {
            throw ValidationError("--color must be auto, always or never (got '\(Validation.printable(color, limit: 40))')")
        }
    }
}

/// `--color`: whether terminal output is coloured.
enum ColorChoice: String, CaseIterable {
    case auto, always, never

    /// `always`/`never` are the user's word for this run. `auto` follows the conventions in this
    /// order: `NO_COLOR` set and not empty turns colour off (no-color.org), `CLICOLOR_FORCE` set
    /// and not 0 turns it on even into a pipe (bixense.com/clicolors), else a terminal whose
    /// `TERM` is not `dumb` gets colour.
    func isOn(stdoutIsTerminal: Bool, environment: (String) -> String?) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            if !(environment("NO_COLOR") ?? "").isEmpty { return false }
            if let force = environment("CLICOLOR_FORCE"), !force.isEmpty, force != "0" { return true }
            return stdoutIsTerminal && environment("TERM") != "dumb"
        }
    }
}
