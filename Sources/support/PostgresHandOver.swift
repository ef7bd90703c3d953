import Foundation
import SupportCore

/// `support` runs `support-pg`, installed beside it, in its own place when the desk is on
/// PostgreSQL: the driver (NIO) stays out of `support`, whose every command would otherwise start
/// about 3 ms slower (SWIFT-FACTS.md), as `support serve` hands over to `support-server`.
/// (docs/architecture.md, "The store protocol is synchronous, and why")
public enum PostgresHandOver {
    /// Execs `support-pg` with the same arguments when the desk (DeskChoice: `--db`, `--config`,
    /// `SUPPORT_DB`, the config file) is on PostgreSQL; returns otherwise. Called before anything
    /// else is loaded. A config file that is refused is left to the command to report (78) when
    /// it opens the desk, so that `--help` still works beside a broken `/etc/support/config`.
    public static func execIfPostgres() {
        let arguments = CommandLine.arguments
        // Scripts probe for the tool with `--version`: answered here, whatever the desk.
        if arguments.count == 2, arguments[1] == "--version" { return }
        let pinned = getenv("SUPPORT_PINNED").map { String(cString: $0) } == "1"
        // Pinned, the command line cannot choose the database (PinnedMode refuses --db and
        // --config), so only the wrapper's SUPPORT_DB or SUPPORT_CONFIG decides: a caller's
        // --db then gets the same refusal from either binary.
        let given = Array(arguments.dropFirst())
        let db = pinned ? nil : globalArgument("--db", given)
        let config = pinned ? nil : globalArgument("--config", given)
        guard let choice = try? DeskChoice.resolve(db: db, config: config, environment: Frontend.environment),
              choice.isPostgres else { return }
        let failure: SupportError
        do {
            try exec()
        } catch let error as SupportError {
            failure = error
        } catch {
            failure = .configuration("cannot run support-pg: \(error)")
        }
        Output.error(failure, json: arguments.contains("--json"))
        exit(failure.exitCode)
    }

    /// The value of `--db X` or `--db=X` (or another global `option`) before `--`, wherever it
    /// is: global options may come before or after the command's name
    /// (SupportEntry.globalOptionsMovedLast). The word after `--as` or `--color` is their value,
    /// not an option (they take it unconditionally, as `--db` does).
    static func globalArgument(_ option: String, _ arguments: [String]) -> String? {
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            index += 1
            if argument == option {
                return index < arguments.count ? arguments[index] : nil
            }
            if argument.hasPrefix(option + "=") {
                return String(argument.dropFirst(option.count + 1))
            }
            if SupportEntry.valueTakingGlobalOptions.contains(argument) { index += 1 }
        }
        return nil
    }

    static func exec() throws -> Never {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        guard length > 0 else { throw SupportError.configuration("cannot find the support executable (/proc/self/exe)") }
        let own = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let driver = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("support-pg").path
        guard access(driver, X_OK) == 0 else {
            throw SupportError.configuration("""
                the desk is on PostgreSQL, and support-pg, which runs such desks, is not installed beside support (\(driver))
                """)
        }
        fflush(nil)
        // The same argv, byte for byte, its first word too: messages and help name the command as
        // it was typed, and support-pg's UTF-8 check (SupportEntry) sees what the shell gave, not
        // CommandLine.arguments, where Swift has already repaired invalid UTF-8 into U+FFFD.
        execv(driver, CommandLine.unsafeArgv)
        let reason = String(cString: strerror(errno))
        throw SupportError.configuration("cannot run \(driver): \(reason)")
    }
}
