import Foundation
import SupportCore

/// The only place that writes: results to stdout, everything else to stderr.
enum Output {
    static func result(_ text: String) {
        print(text)
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func error(_ error: SupportError, json: Bool) {
        if json {
            note(JSONRenderer.error(error))
        } else {
            note("support: " + TerminalText.sanitize(error.message))
        }
    }
}
