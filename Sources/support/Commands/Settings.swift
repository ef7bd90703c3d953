import ArgumentParser
import Foundation
import SupportCore

struct Settings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Read and change the help desk's settings (admin only).",
        subcommands: [Get.self, Set.self, Reset.self]
    )

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Print all settings, or one.")

        @Argument(help: ArgumentHelp("A setting's name.", valueName: "key"), completion: .list(SettingKey.allCases.map(\.rawValue)))
        var key: String?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let key = try key.map { try SettingKey.parse($0) }
                var settings = try frontend.desk().settings()
                if let key {
                    let value = settings[key] ?? key.defaultValue
                    settings = [key: value]
                    // Sanitized like every stored text shown on a terminal: a value written into
                    // the file by other means could hold escape sequences. (ReliabilityStoredTextTests)
                    frontend.emit(json: JSONRenderer.settings(settings)) { _ in TerminalText.sanitize(value, multiline: true) }
                } else {
                    frontend.emit(json: JSONRenderer.settings(settings)) { $0.settings(settings) }
                }
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change a setting.",
            discussion: "Settings: " + SettingKey.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ") + "."
        )

        @Argument(help: ArgumentHelp("A setting's name.", valueName: "key"), completion: .list(SettingKey.allCases.map(\.rawValue)))
        var key: String

        // Every word the parser does not know, so that a value starting with "-" (`-1`, `-Desk-`)
        // is the value rather than an unknown option; validate() allows one.
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The new value (- reads it from stdin).", valueName: "value"))
        var given: [String] = []

        /// The value's words without the `--` that ends options (`settings set KEY -- -1`, as
        /// getopt tools and scripts write it): the parser hands it over as a word of its own.
        var words: [String] {
            guard let end = given.firstIndex(of: "--") else { return given }
            return Array(given[..<end] + given[(end + 1)...])
        }

        var value: String? { words.first }

        @Option(parsing: .unconditional, help: ArgumentHelp("Read the value from this file (for support_email_template).", valueName: "path"), completion: .file())
        var file: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if words.count > 1 {
                throw ValidationError("give one VALUE (quote a value that has spaces); got \(words.count) words")
            }
            if (value == nil) == (file == nil) {
                throw ValidationError("give either a VALUE or --file PATH")
            }
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                let key = try SettingKey.parse(key)
                if key == .sendmailCommand {
                    // The program a later flush runs, as whoever flushes.
                    try PinnedMode.refuse("setting sendmail_command", "the desk's owner sets it")
                }
                let text: String
                if let file {
                    text = try MessageInput.readFile(file, what: key.rawValue)
                } else if value == "-" {
                    text = try MessageInput.readStandardInput(what: key.rawValue)
                } else {
                    text = value ?? ""
                }
                let stored = try frontend.desk().setSetting(key, to: text)
                frontend.emit(json: JSONRenderer.settings([key: stored])) { _ in "\(key.rawValue) is set." }
            }
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset",
            abstract: "Put a setting back to its default (audited like set; --json prints it as set does)."
        )

        @Argument(help: ArgumentHelp("A setting's name.", valueName: "key"), completion: .list(SettingKey.allCases.map(\.rawValue)))
        var key: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let key = try SettingKey.parse(key)
                let old = try frontend.desk().resetSetting(key)
                frontend.emit(json: JSONRenderer.settings([key: key.defaultValue])) { _ in
                    old == key.defaultValue ? "Nothing changed: \(key.rawValue) already has its default."
                        : "\(key.rawValue) is back to its default."
                }
            }
        }
    }
}
