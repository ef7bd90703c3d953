import Foundation
import Testing

// Shared pieces of the reliability suite (issue 6): figures printed for the README, the sqlite3
// shell as an independent oracle, byte fingerprints of the database files, and small fake mail
// programs. Names carry a `reliability` prefix so they never meet the mail tests' helpers.

/// One line per part on stdout, `reliability: PART key=value ...`, for the README to quote.
enum ReliabilityFigures {
    static func report(_ part: String, _ figures: KeyValuePairs<String, Int>) {
        let text = figures.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("reliability: \(part) \(text)")
    }
}

/// Directories of sandboxes kept in statics (never deinitialised), removed when the run ends.
enum ReliabilityCleanup {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var directories: [URL] = []
    private static let registered: Void = { atexit { ReliabilityCleanup.removeAll() } }()

    static func removeAtExit(_ directory: URL) {
        lock.lock(); defer { lock.unlock() }
        _ = registered
        directories.append(directory)
    }

    static func removeAll() {
        lock.lock(); defer { lock.unlock() }
        for directory in directories { try? FileManager.default.removeItem(at: directory) }
    }
}

/// A counter several threads may bump (failures seen inside a loop, for the figures line).
final class ReliabilityCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func add(_ n: Int = 1) { lock.lock(); value += n; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}

/// The raw bytes of a database file and its WAL: equal fingerprints mean nothing was written.
/// (The -shm file is shared memory, rewritten by every reader, and not part of the data.)
struct ReliabilityFingerprint: Equatable, CustomStringConvertible {
    var database: Data?
    var wal: Data?

    init(path: String) {
        database = FileManager.default.contents(atPath: path)
        // A missing WAL and an empty one hold the same: nothing.
        wal = FileManager.default.contents(atPath: path + "-wal") ?? Data()
    }

    var description: String { "db \(database?.count ?? -1) bytes, wal \(wal?.count ?? -1) bytes" }
}

enum ReliabilityTools {
    static let sqlite3 = "/usr/bin/sqlite3"
    static var hasSQLite3: Bool { FileManager.default.isExecutableFile(atPath: sqlite3) }

    /// Words that must never reach a user: SQL, the storage layer's names, crash reports.
    static let leakWords = ["SELECT", "INSERT", "UPDATE ", "DELETE FROM", "sqlite", "SQLite", "GRDB", "Fatal error",
                            "Stack dump", "backtrace", "Thread 0", "DatabaseError", "SQLITE_"]

    static func leaks(in text: String) -> [String] {
        // Naming the format to a user is fine: "the file is not a support database (not SQLite)".
        let said = text.replacingOccurrences(of: "(not SQLite)", with: "")
        return leakWords.filter { said.contains($0) }
    }

    /// A uniformly random delay in [low, high] seconds.
    static func randomDelay(_ low: Double, _ high: Double, using rng: inout some RandomNumberGenerator) -> Double {
        Double.random(in: low...max(low, high), using: &rng)
    }
}

/// The crash trials' generator: SplitMix64 (Support/SplitMix64.swift), replayable from its seed.
typealias ReliabilityRandom = SplitMix64

extension SplitMix64 {
    /// `RELIABILITY_SEED` when set, else a new seed (printed with the figures).
    static func seed() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment["RELIABILITY_SEED"], let seed = UInt64(text) { return seed }
        return UInt64.random(in: 1...UInt64.max / 2)
    }
}

extension Sandbox {
    /// Runs the sqlite3 shell on the sandbox's database (or `path`) and returns what it printed.
    /// An independent reader: it knows nothing of GRDB or of `support`'s code.
    func reliabilitySQL(_ sql: String, path: String? = nil, json: Bool = false,
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let arguments = ["-batch", "-bail"] + (json ? ["-json"] : []) + [path ?? dbPath, sql]
        let result = try launch(arguments, executable: URL(fileURLWithPath: ReliabilityTools.sqlite3)).wait()
        try #require(result.status == 0, "sqlite3 failed on \(sql.prefix(200)): \(result)", sourceLocation: sourceLocation)
        return result.out
    }

    /// Rows as dictionaries (sqlite3 -json).
    func reliabilityRows(_ sql: String, path: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let text = try reliabilitySQL(sql, path: path, json: true, sourceLocation: sourceLocation)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return [] }
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]],
                            sourceLocation: sourceLocation)
    }

    /// One integer from a query such as `SELECT count(*) ...`.
    func reliabilityCount(_ sql: String, path: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let text = try reliabilitySQL(sql, path: path, sourceLocation: sourceLocation).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(Int(text), "not a number: \(text)", sourceLocation: sourceLocation)
    }

    /// `PRAGMA integrity_check` as the sqlite3 shell reports it: "ok" when the file is sound.
    func reliabilityIntegrity(path: String? = nil) throws -> String {
        let result = try launch(["-batch", path ?? dbPath, "PRAGMA integrity_check"],
                                executable: URL(fileURLWithPath: ReliabilityTools.sqlite3)).wait()
        return (result.out + result.err).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var reliabilityFingerprint: ReliabilityFingerprint { ReliabilityFingerprint(path: dbPath) }

    /// Writes an executable script into the sandbox and returns its path.
    func reliabilityScript(_ name: String, _ body: String, executable: Bool = true) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(("#!/bin/sh\n" + body).utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
        return path
    }

    /// A fake sendmail that reads the whole message, then appends it to `mailbox` under an
    /// exclusive lock (several flushes at once may run it), separated by a `From ` line. Its
    /// sendmail_command is `SCRIPT MAILBOX`; support adds `-f SENDER -- RECIPIENT`.
    func reliabilityMailboxSendmail(mailbox: String, delay: String? = nil) throws -> String {
        let script = try reliabilityScript("mailbox-sendmail-\(UUID().uuidString.prefix(8)).sh", """
            mbox=$1; shift
            tmp=$(mktemp) || exit 75
            cat > "$tmp" || { rm -f "$tmp"; exit 74; }
            \(delay.map { "sleep \($0)" } ?? "")
            while [ "$1" != "--" ] && [ $# -gt 0 ]; do shift; done
            shift
            ( flock 9; printf 'From support %s\\n' "$*" >> "$mbox"; cat "$tmp" >> "$mbox" ) 9>>"$mbox.lock"
            rm -f "$tmp"
            exit 0
            """)
        return "\(script) \(mailbox)"
    }

    /// Every Message-ID in a mailbox written by `reliabilityMailboxSendmail`, in order (repeats kept).
    static func reliabilityMessageIDs(inMailbox path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard line.hasPrefix("Message-ID: <") else { return nil }
            return String(line.dropFirst("Message-ID: <".count).dropLast())
        }
    }

    /// The outbox's message ids and states as the sqlite3 shell sees them.
    func reliabilityOutbox(path: String? = nil) throws -> [(id: Int, messageID: String, status: String, attempts: Int)] {
        try reliabilityRows("SELECT id, messageID, status, attempts FROM outbox ORDER BY id", path: path).map {
            (id: $0["id"] as? Int ?? -1, messageID: $0["messageID"] as? String ?? "",
             status: $0["status"] as? String ?? "", attempts: $0["attempts"] as? Int ?? -1)
        }
    }

    /// Turns mail on: a support address, so that new tickets and replies queue messages.
    func reliabilityEnableMail(autoResponse: Bool = true) throws {
        try mapLoginToDeskAgent()
        try succeed(["settings", "set", "support_email", "help@example.test"])
        if autoResponse { try succeed(["settings", "set", "support_auto_response", "true"]) }
    }

    /// Copies the database files (main, WAL, shared memory) from `source` to `destination`.
    static func reliabilityCopyDatabase(from source: String, to destination: String) throws {
        let fm = FileManager.default
        for suffix in ["", "-wal", "-shm"] {
            try? fm.removeItem(atPath: destination + suffix)
            if fm.fileExists(atPath: source + suffix) {
                try fm.copyItem(atPath: source + suffix, toPath: destination + suffix)
            }
        }
    }
}

extension CLIResult {
    /// What the reliability suite asks of every run, whatever its input: no crash, no bug exit,
    /// and nothing on stderr that is SQL, a storage-layer name or a stack trace.
    func reliabilityProblems() -> [String] {
        var problems: [String] = []
        if signaled { problems.append("died of a signal (\(status))") }
        if status == 70 { problems.append("exit 70 (a bug)") }
        let leaks = ReliabilityTools.leaks(in: err)
        if !leaks.isEmpty { problems.append("stderr shows \(leaks)") }
        return problems
    }
}
