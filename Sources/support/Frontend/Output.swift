import Foundation
import SupportCore

/// The only place that writes: results to stdout, everything else to stderr.
enum Output {
    static func result(_ text: String) {
        print(text)
    }

    /// Bytes exactly as they are (a message as received): no newline added, nothing converted.
    static func raw(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// A question on stderr, without a newline: the answer is typed after it.
    static func prompt(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func error(_ error: SupportError, json: Bool) {
        if json {
            note(JSONRenderer.error(error, naming: .commandLine))
        } else {
            note("support: " + TerminalText.sanitize(error.message(naming: .commandLine)))
        }
    }
}
