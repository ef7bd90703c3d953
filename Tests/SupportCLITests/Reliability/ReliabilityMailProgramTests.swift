import Foundation
import Testing

/// Part 5: the mail program misbehaves. Small fake programs (the msmtp chain is the mail tests'
/// business) check how the flusher classifies each run: the outbox state afterwards, nothing
/// lost or altered, no crash, and `notify list` safe to print whatever the program said.
@Suite("reliability: mail program faults", .enabled(if: ReliabilityTools.hasSQLite3, "needs the sqlite3 shell"))
struct ReliabilityMailProgramTests {
    struct Fault: Sendable, CustomTestStringConvertible {
        var name: String
        /// The fake program's body (/bin/sh), or nil for a path that does not exist.
        var script: String?
        var executable = true
        var extraArguments: [String] = []
        /// `mail_max_attempts`, so that a failure ends in `failed` at once when 1.
        var maxAttempts = 8
        var flushStatus: Int32
        /// The state of every message afterwards (the large one is checked apart when set).
        var status: String
        var attempts: Int
        var largeStatus: String? = nil
        /// Words the last error must contain.
        var lastError: String? = nil
        var testDescription: String { name }
    }

    static let faults: [Fault] = [
        Fault(name: "missing", script: nil, flushStatus: 78, status: "pending", attempts: 0),
        Fault(name: "not executable", script: "cat >/dev/null; exit 0", executable: false, flushStatus: 78, status: "pending", attempts: 0),
        Fault(name: "exits 75", script: "cat >/dev/null; echo 'queue full' >&2; exit 75", flushStatus: 75, status: "pending", attempts: 1,
              lastError: "exit status 75: queue full"),
        Fault(name: "exits 69 with a 4xx reply", script: "cat >/dev/null; echo 'msmtp: server message: 451 4.3.0 Try again later' >&2; echo 'msmtp: could not send mail' >&2; exit 69",
              flushStatus: 75, status: "pending", attempts: 1, lastError: "451 4.3.0"),
        Fault(name: "exits 69 with a 5xx reply", script: "cat >/dev/null; echo 'msmtp: server message: 550 5.1.1 User unknown' >&2; exit 69",
              maxAttempts: 1, flushStatus: 75, status: "failed", attempts: 1, lastError: "550 5.1.1"),
        Fault(name: "exits 65", script: "cat >/dev/null; echo 'recipient refused' >&2; exit 65", maxAttempts: 1, flushStatus: 75,
              status: "failed", attempts: 1, lastError: "exit status 65"),
        Fault(name: "exits 0 without reading", script: "exit 0", flushStatus: 75, status: "any", attempts: 1, largeStatus: "pending"),
        Fault(name: "exits 75 without reading", script: "exit 75", flushStatus: 75, status: "pending", attempts: 1),
        Fault(name: "hangs", script: "cat >/dev/null; exec sleep 30", extraArguments: ["--timeout", "1", "--jobs", "4"], flushStatus: 75,
              status: "pending", attempts: 1, lastError: "did not finish in time"),
        Fault(name: "hangs without reading", script: "exec sleep 30", extraArguments: ["--timeout", "1", "--jobs", "4"], flushStatus: 75,
              status: "pending", attempts: 1, lastError: "did not finish in time"),
        Fault(name: "killed by a signal", script: "cat >/dev/null; kill -9 $$", flushStatus: 75, status: "pending", attempts: 1,
              lastError: "signal 9"),
        Fault(name: "prints garbage and succeeds", script: #"cat >/dev/null; printf '\033]0;pwned\007\033[2J\377\376\000garbage\r\n' ; printf '\033[31mwarning\033[0m \377\n' >&2; exit 0"#,
              flushStatus: 0, status: "sent", attempts: 1),
        Fault(name: "prints garbage and fails", script: #"cat >/dev/null; head -c 20000 /dev/urandom >&2; printf '\n\033]0;pwned\007 \033[31m550 5.7.1 no\n' >&2; exit 1"#,
              maxAttempts: 1, flushStatus: 75, status: "failed", attempts: 1, lastError: "550 5.7.1"),
        Fault(name: "works", script: "cat >/dev/null; exit 0", flushStatus: 0, status: "sent", attempts: 1),
    ]

    /// Three messages due: two small notices and one far larger than a pipe's buffer.
    static let template = Result { () throws -> Sandbox in
        let sandbox = try Sandbox()
        try sandbox.reliabilityEnableMail(autoResponse: false)
        try sandbox.succeed(["ticket", "create", "--subject", "small one", "--category", "bug-report", "--message", "m",
                             "--requester", "jane@example.test"])
        try sandbox.succeed(["ticket", "create", "--subject", "small two", "--category", "bug-report", "--message", "m",
                             "--requester", "jane@example.test"])
        try sandbox.succeed(["ticket", "create", "--subject", "large", "--category", "bug-report", "--message", "-",
                             "--requester", "jane@example.test"], stdin: Data(String(repeating: "=", count: 60_000).utf8))
        try sandbox.succeed(["ticket", "list"])
        // A static is never deinitialised: remove its directory when the run ends.
        ReliabilityCleanup.removeAtExit(sandbox.directory)
        return sandbox
    }

    @Test(arguments: faults)
    func flushClassifiesTheProgramsFailure(_ fault: Fault) throws {
        // Given three messages due and a mail program that fails this way
        let template = try Self.template.get()
        let sandbox = try Sandbox()
        try Sandbox.reliabilityCopyDatabase(from: template.dbPath, to: sandbox.dbPath)
        if fault.maxAttempts != 8 { try sandbox.succeed(["settings", "set", "mail_max_attempts", String(fault.maxAttempts)]) }
        let program: String
        if let script = fault.script {
            program = try sandbox.reliabilityScript("fake-sendmail.sh", script, executable: fault.executable)
        } else {
            program = "/nonexistent/sbin/sendmail"
        }
        let messages = "SELECT id, messageID, hex(message) AS bytes FROM outbox ORDER BY id"
        let before = try sandbox.reliabilityRows(messages)

        // When the outbox is flushed through it
        let started = Date()
        let flush = try sandbox.run(["notify", "flush", "--sendmail", program] + fault.extraArguments)
        let elapsed = Date().timeIntervalSince(started)

        // Then flush exits as documented (0 all sent, 75 some later or failed, 78 cannot run), without crashing
        #expect(flush.status == fault.flushStatus, "\(flush)")
        #expect(flush.reliabilityProblems().isEmpty, "\(flush.reliabilityProblems())")
        #expect(!flush.stdout.contains(0x1B) && !flush.stderr.contains(0x1B))
        if fault.flushStatus == 78 { #expect(flush.err.contains("mail program"), "\(flush.err)") }
        if fault.name.hasPrefix("hangs") { #expect(elapsed < 8, "took \(elapsed) s") }
        // And every message is still there, byte for byte, under its Message-ID
        #expect(try sandbox.reliabilityRows(messages).map { "\($0["id"]!) \($0["messageID"]!) \($0["bytes"]!)" }
            == before.map { "\($0["id"]!) \($0["messageID"]!) \($0["bytes"]!)" })
        // And each is in the state the failure calls for, as `notify list --json` shows it
        let list = try sandbox.succeed(["notify", "list", "--json"]).json()
        let rows = try #require(list["messages"] as? [[String: Any]])
        #expect(rows.count == 3)
        for row in rows {
            let isLarge = (row["subject"] as? String)?.contains("large") == true
            let status = row["status"] as? String
            if isLarge, let large = fault.largeStatus {
                #expect(status == large, "\(row)")
                #expect((row["lastError"] as? String ?? "").contains("without reading"), "\(row)")
            } else if fault.status != "any" {
                #expect(status == fault.status, "\(row)")
            }
            #expect(row["attempts"] as? Int == fault.attempts, "\(row)")
            if let words = fault.lastError {
                #expect((row["lastError"] as? String ?? "").contains(words), "\(row)")
            }
        }
        // And the text view is safe for a terminal whatever the program printed
        let text = try sandbox.succeed(["notify", "list"])
        #expect(!text.stdout.contains(0x1B) && !text.stdout.contains(0x00), "\(text.out.prefix(500))")
        #expect(text.out.split(separator: "\n").allSatisfy { $0.count < 2_000 })
        // And a failed message can be put back by an admin
        if fault.status == "failed" {
            #expect(try sandbox.succeed(["notify", "retry", "--failed"]).status == 0)
            let again = try #require(try sandbox.succeed(["notify", "list", "--json"]).json()["messages"] as? [[String: Any]])
            #expect(again.allSatisfy { $0["status"] as? String == "pending" && $0["attempts"] as? Int == 0 })
        }
        ReliabilityFigures.report("mail-program-\(fault.name.replacingOccurrences(of: " ", with: "-"))", [
            "flush-exit": Int(flush.status), "messages": rows.count, "lost": 3 - rows.count,
            "sent": rows.filter { $0["status"] as? String == "sent" }.count,
            "pending": rows.filter { $0["status"] as? String == "pending" }.count,
            "failed": rows.filter { $0["status"] as? String == "failed" }.count,
        ])
    }
}
