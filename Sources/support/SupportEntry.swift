import ArgumentParser
import Foundation
import SupportCore

/// Checks what the shell handed over before ArgumentParser sees it: Swift repairs invalid UTF-8
/// in arguments silently, and a repaired subject would be stored with U+FFFD in it.
@main
enum SupportEntry {
    static func main() {
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
        let arguments = globalOptionsMovedLast(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try Support.parseAsRoot(arguments)
            try command.run()
        } catch {
            // A bad command line is an APIError too when the caller asked for JSON.
            let code = Support.exitCode(for: error)
            if code.rawValue == 64, arguments.contains("--json") {
                let message = Support.message(for: error).split(separator: "\n").first.map(String.init) ?? "bad command line"
                Output.note(JSONValue.object([
                    ("error", .string(safeLine(message))), ("code", .string("USAGE_ERROR")), ("details", .null),
                ]).serialized(pretty: false))
                exit(64)
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

    /// One line of an error message as a terminal may show it: control characters replaced,
    /// cut to 500 columns.
    static func safeLine(_ line: String) -> String {
        TerminalText.truncate(TerminalText.sanitize(line), to: 500)
    }

    /// `support --json ticket list` → `support ticket list --json`: global options are declared on
    /// each command, so those given before the command's name are moved after it (before `--`).
    static func globalOptionsMovedLast(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--json" || argument == "--verbose" || argument.hasPrefix("--db=") || argument.hasPrefix("--as=") {
                leading.append(argument)
                index += 1
            } else if (argument == "--db" || argument == "--as") && index + 1 < arguments.count {
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
