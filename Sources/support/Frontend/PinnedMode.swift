import Foundation
import SupportCore

/// The mode a wrapper sets (a sudo rule, an SSH forced command) to run `support` for someone
/// else: `SUPPORT_PINNED=1` with `SUPPORT_DB` (or `SUPPORT_CONFIG`, a config file) and `SUPPORT_AS`. Then nothing on the command line
/// can change the database, the actor or the mail program, or make this process (which may run
/// as another user than its caller) read a file or run a program: inputs come on stdin, which
/// the caller's own shell opened with the caller's own rights. (issue 13.1)
///
/// The environment, not a file in /etc: only the wrapper knows whom it runs `support` for, and
/// both sudo (env_reset) and sshd (a forced command; PermitUserEnvironment off by default) keep
/// the caller from setting variables of their own.
enum PinnedMode {
    /// Every option that names a file, a directory, a program or who acts. Add a new one here:
    /// PinnedModeTests checks this list against every path-like option of `--experimental-dump-help`.
    static let refusedOptions: [String: String] = [
        "--db": "the database is pinned by SUPPORT_DB",
        "--config": "the database is pinned by SUPPORT_DB or SUPPORT_CONFIG",
        "--as": "who acts is pinned by SUPPORT_AS",
        "--file": "read the input on stdin instead (< FILE, opened with your own rights)",
        "--mbox": "pipe one message on stdin instead",
        "--maildir": "pipe one message on stdin instead",
        "--sendmail": "the mail program is the desk's sendmail_command",
        "--attach": "a file would be read with the wrapper's rights, not yours; attach files by mail instead",
        "--output": "write to stdout instead (> FILE, opened with your own rights)",
        "--jwt-public-key": "the server is not run in pinned mode",
        "--to-config": "a file would be read with the wrapper's rights; db copy is run by the desk's owner, not pinned",
    ]

    /// Whether `SUPPORT_PINNED` is set to 1; any value but 1, 0 or empty is a misconfigured wrapper.
    static func isOn() throws -> Bool {
        switch Frontend.environment("SUPPORT_PINNED") {
        case nil, "", "0": return false
        case "1": return true
        case let other?:
            throw SupportError.configuration("SUPPORT_PINNED must be 1 or 0, not '\(Validation.printable(other, limit: 40))'")
        }
    }

    /// Refuses a wrapper that pins without saying what, then any refused option on the line.
    static func check(_ arguments: [String]) throws {
        guard try isOn() else { return }
        // The desk: SUPPORT_DB, or a config file the wrapper names (SUPPORT_CONFIG), never the
        // caller's own default (~/.config/support/config), which would let the caller's HOME decide.
        if (Frontend.environment("SUPPORT_DB") ?? "").isEmpty, (Frontend.environment("SUPPORT_CONFIG") ?? "").isEmpty {
            throw SupportError.configuration("SUPPORT_PINNED=1 needs SUPPORT_DB (or SUPPORT_CONFIG) set by the wrapper")
        }
        if (Frontend.environment("SUPPORT_AS") ?? "").isEmpty {
            throw SupportError.configuration("SUPPORT_PINNED=1 needs SUPPORT_AS set by the wrapper")
        }
        for argument in arguments {
            if argument == "--" { break }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if let reason = refusedOptions[name] {
                throw SupportError.forbidden("\(name) is not allowed here (SUPPORT_PINNED=1): \(reason)")
            }
        }
    }

    /// For what a command does beyond its options (the editor, `serve`, `sendmail_command`).
    static func refuse(_ what: String, _ instead: String) throws {
        guard try isOn() else { return }
        throw SupportError.forbidden("\(what) is not allowed here (SUPPORT_PINNED=1): \(instead)")
    }
}
