import ArgumentParser
import Foundation
import SupportCore

/// Checks what the shell handed over before ArgumentParser sees it: Swift repairs invalid UTF-8
/// in arguments silently, and a repaired subject would be stored with U+FFFD in it.
/// Called by the `support` and `support-pg` executables (Sources/support-cli, Sources/support-pg).
public enum SupportEntry {
    public static func main() {
        // A write past the file size limit (`ulimit -f`) raises SIGXFSZ, whose default action
        // kills the process without a word. Ignored, the write fails with EFBIG instead: SQLite
        // rolls the transaction back and the user is told (exit 74). (ReliabilityDatabaseFaultTests)
        signal(SIGXFSZ, SIG_IGN)
        SQLiteProcessSettings.apply()
        // Answered before anything else loads: scripts call `--version` to probe for the tool.
        if CommandLine.argc == 2, CommandLine.arguments[1] == "--version" {
            print(Support.version)
            return
        }
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw))
            if String(validating: bytes, as: UTF8.self) == nil {
                let failure = SupportError.invalidInput(field: nil, "argument \(index) is not valid UTF-8")
                Output.error(failure, json: CommandLine.arguments.contains("--json"))
                exit(failure.exitCode)
            }
        }
        var given = Array(CommandLine.arguments.dropFirst())
        if given.isEmpty, let remote = sshOriginalCommand() {
            given = remote
        }
        if let repeated = repeatedGlobalOption(given) {
            // A wrapper pins `--db`/`--as` by putting them first (`exec support --as alice "$@"`);
            // ArgumentParser would let the caller's later copy win, so a second copy is refused.
            usageFailure("\(repeated) is given more than once; a global option may be given once", json: given.contains("--json"))
        }
        if let unknown = unknownHelpTopic(given) {
            // ArgumentParser's `help` prints the top help for a name it does not know, and exits 0.
            usageFailure("no command '\(unknown)'; see 'support --help'", json: given.contains("--json"))
        }
        do {
            try PinnedMode.check(given)
        } catch let error as SupportError {
            Output.error(error, json: given.contains("--json"))
            exit(error.exitCode)
        } catch {
            exit(70)
        }
        let arguments = globalOptionsMovedLast(given)
        do {
            var command = try hotParse(arguments) ?? Support.parseAsRoot(arguments)
            try command.run()
        } catch {
            // A bad command line is an APIError too when the caller asked for JSON.
            let code = Support.exitCode(for: error)
            if code.rawValue == 64, arguments.contains("--json") {
                usageFailure(Support.message(for: error).split(separator: "\n").first.map(String.init) ?? "bad command line", json: true)
            }
            // ArgumentParser quotes the offending value in its message ("The value '…' is invalid
            // for '--limit <n>'"): an escape sequence in it would reach the terminal raw, and a
            // 70 kB value as one line. So failures are printed here, each line made safe; help
            // and --version (exit 0, on stdout) are left to ArgumentParser.
            // (Found by ReliabilityHostileInputTests: `ticket list --limit=$'\e[31m...'`.)
            if code.rawValue != 0 {
                let text = Support.fullMessage(for: error)
                if !text.isEmpty {
                    Output.note(text.split(separator: "\n", omittingEmptySubsequences: false).map { safeLine(String($0)) }
                        .joined(separator: "\n"))
                }
                exit(code.rawValue)
            }
            Support.exit(withError: error)
        }
    }

    /// What `HotCommandParser` parses, or nil to leave the line to ArgumentParser. A debug build
    /// makes sure ArgumentParser parses the same line to the same value (so every CLI test that
    /// lists or shows checks it), and for HotCommandParserTests obeys SUPPORT_DEBUG_PARSER:
    /// `trace` says on stderr which parser took the line, `library` also skips the hot one.
    static func hotParse(_ arguments: [String]) -> (any ParsableCommand)? {
        #if DEBUG
        let debug = Frontend.environment("SUPPORT_DEBUG_PARSER")
        guard debug != "library", let command = HotCommandParser.parse(arguments) else {
            if debug != nil { Output.note("parser: library") }
            return nil
        }
        if debug != nil { Output.note("parser: hot") }
        var hot = ""
        var library = ""
        dump(command, to: &hot)
        do {
            dump(try Support.parseAsRoot(arguments), to: &library)
        } catch {
            library = "ArgumentParser refused it: \(Support.fullMessage(for: error))"
        }
        precondition(hot == library, "HotCommandParser and ArgumentParser differ on \(arguments):\n\(hot)\n---\n\(library)")
        return command
        #else
        return HotCommandParser.parse(arguments)
        #endif
    }

    /// An SSH forced command (`command="… support"` in authorized_keys) gets no arguments: what
    /// the caller typed is in SSH_ORIGINAL_COMMAND. In pinned mode it is split as a shell splits
    /// words but never run through one (no expansion, no `;`), and a leading `support` is dropped,
    /// so `ssh desk@host support ticket list` and `ssh desk@host ticket list` both work.
    static func sshOriginalCommand() -> [String]? {
        guard (try? PinnedMode.isOn()) == true, let raw = getenv("SSH_ORIGINAL_COMMAND") else { return nil }
        do {
            guard let line = String(validatingCString: raw) else {
                throw SupportError.invalidInput(field: nil, "SSH_ORIGINAL_COMMAND is not valid UTF-8")
            }
            var words = try CommandLineWords.split(line)
            if words.first == "support" { words.removeFirst() }
            return words
        } catch {
            let failure = error as? SupportError ?? .invalidInput(field: nil, "cannot read SSH_ORIGINAL_COMMAND")
            Output.error(failure, json: false)
            exit(failure.exitCode)
        }
    }

    /// A bad command line: exit 64, the message on stderr (as the seed's APIError with `--json`).
    static func usageFailure(_ message: String, json: Bool) -> Never {
        if json {
            Output.note(JSONValue.object([
                ("error", .string(safeLine(message))), ("code", .string("USAGE_ERROR")), ("details", .null),
            ]).serialized(pretty: false))
        } else {
            Output.note("Error: \(safeLine(message))")
        }
        exit(64)
    }

    /// One line of an error message as a terminal may show it: control characters replaced,
    /// cut to 500 columns.
    static func safeLine(_ line: String) -> String {
        TerminalText.truncate(TerminalText.sanitize(line), to: 500)
    }

    /// The first global option that occurs twice before `--`, in either spelling (`--as x`,
    /// `--as=x`), or nil. The word after `--db`/`--as` is their value and is not counted.
    static func repeatedGlobalOption(_ arguments: [String]) -> String? {
        var seen: Set<String> = []
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            index += 1
            guard globalOptionNames.contains(name) else { continue }
            if !seen.insert(name).inserted { return name }
            if valueTakingGlobalOptions.contains(argument) { index += 1 }
        }
        return nil
    }

    /// `support help ticket nonsense` → "nonsense": the first word after `help` that names no
    /// subcommand of the command before it; nil when every word names one (or this is not `help`).
    static func unknownHelpTopic(_ arguments: [String]) -> String? {
        guard arguments.first == "help" else { return nil }
        var command: any ParsableCommand.Type = Support.self
        for word in arguments.dropFirst() where !word.hasPrefix("-") {
            let children = command.configuration.subcommands
            guard let child = children.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) else {
                return word
            }
            command = child
        }
        return nil
    }

    static let valueTakingGlobalOptions: Set<String> = ["--db", "--config", "--as", "--color"]
    static let globalOptionNames: Set<String> = ["--db", "--config", "--as", "--json", "--verbose", "--color"]

    /// `support --json ticket list` → `support ticket list --json`: global options are declared on
    /// each command, so those given before the command's name are moved after it (before `--`).
    static func globalOptionsMovedLast(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if globalOptionNames.contains(name), !valueTakingGlobalOptions.contains(argument) {
                leading.append(argument)
                index += 1
            } else if valueTakingGlobalOptions.contains(argument) && index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        var rest = Array(arguments[index...])
        let end = rest.firstIndex(of: "--") ?? rest.endIndex
        rest.insert(contentsOf: leading, at: end)
        return rest
    }
}
