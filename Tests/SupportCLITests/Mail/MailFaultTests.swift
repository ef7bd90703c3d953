import Foundation
import Testing

/// Receivers and mail programs that misbehave: each message ends in the state SPEC and README
/// give, every attempt is recorded, and `support` itself neither crashes nor loses a message.
@Suite("Mail delivery faults")
struct MailFaultTests {
    // MARK: the receiver

    @Test func receiverAnswering4xxLeavesTheMessagePendingForALaterTry() throws {
        // Given a requester whose mailbox the receiver answers with 451 at RCPT
        let sandbox = try Sandbox()
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        try sandbox.enableMail(autoResponse: true)
        try sandbox.succeed(["ticket", "create", "--subject", "busy mailbox", "--category", "bug-report",
                             "--requester", "tempfail@example.test", "--message", "hello"])
        // When the outbox is flushed through msmtp
        let flush = try sandbox.flush(sink.sendmail)
        // Then flush exits 75: one sent (the notice to the support address), one to retry
        #expect(flush.status == 75, "\(flush)")
        #expect(try flush.flushSummary() == (1, 1, 0))
        #expect(try sink.received(brief: true, in: sandbox).map(\.rcptTos) == [[Sandbox.supportAddress]])
        // And the auto-response is pending after one attempt, its last error quoting the 451 reply,
        // due again only after the back-off (about a minute)
        let rows = try sandbox.outbox()
        #expect(rows.map { $0["status"] as? String } == ["sent", "pending"])
        let auto = rows[1]
        #expect(auto["attempts"] as? Int == 1)
        let lastError = auto["lastError"] as? String ?? ""
        #expect(lastError.hasPrefix("exit status 69: ") && lastError.contains("451 4.3.0 tempfail"), "\(lastError)")
        let next = try #require(ISO8601DateFormatter.withFraction.date(from: auto["nextAttemptAt"] as? String ?? ""))
        #expect(next.timeIntervalSinceNow > 30, "next attempt at \(next)")
        // And the attempt is recorded as a temporary failure: msmtp's exit 69 with a 4xx reply
        let attempts = try sandbox.attempts()
        #expect(attempts.map(\.outcome) == ["sent", "retry"])
        #expect(attempts.last?.exitStatus == 69)
        // And an immediate second flush respects the back-off: nothing attempted, exit 0
        let again = try sandbox.flush(sink.sendmail)
        #expect(again.status == 0, "\(again)")
        #expect(try again.flushSummary() == (0, 0, 0))
        #expect(try sandbox.outbox()[1]["attempts"] as? Int == 1)
    }

    @Test func receiverAnswering5xxCountsAttemptsUntilFailedThenRetryPutsItBack() throws {
        // Given at most 2 attempts, and a requester the receiver refuses with 550
        let sandbox = try Sandbox()
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        try sandbox.enableMail(autoResponse: true, extra: [("mail_max_attempts", "2")])
        try sandbox.succeed(["ticket", "create", "--subject", "no such user", "--category", "bug-report",
                             "--requester", "reject@example.test", "--message", "hello"])

        // When flushed once
        let first = try sandbox.flush(sink.sendmail)
        // Then it counts as an attempt: pending, attempts 1, the 550 reply quoted; flush exits 75
        #expect(first.status == 75, "\(first)")
        var auto = try sandbox.outbox()[1]
        #expect(auto["status"] as? String == "pending" && auto["attempts"] as? Int == 1, "\(auto)")
        let rejected = auto["lastError"] as? String ?? ""
        #expect(rejected.hasPrefix("exit status 65: ") && rejected.contains("550 5.1.1 reject"), "\(rejected)")
        #expect(try sandbox.attempts().last.map { [$0.outcome, "\($0.exitStatus ?? -1)"] } == ["failed", "65"])

        // When its back-off has passed and it is flushed again
        try sandbox.makePendingMailDue()
        let second = try sandbox.flush(sink.sendmail)
        // Then it is failed after 2 attempts, and flush says so (exit 75, one failed)
        #expect(second.status == 75, "\(second)")
        #expect(try second.flushSummary() == (0, 0, 1))
        let failed = try sandbox.outbox(status: "failed")
        try #require(failed.count == 1)
        #expect(failed[0]["kind"] as? String == "auto-response")
        #expect(failed[0]["recipient"] as? String == "reject@example.test")
        #expect(failed[0]["attempts"] as? Int == 2)
        #expect((failed[0]["lastError"] as? String)?.isEmpty == false)
        #expect(try sandbox.attempts().count == 3)
        // And the plain listing shows it too
        let listing = try sandbox.succeed(["notify", "list"]).out
        #expect(listing.contains("failed") && listing.contains("reject@example.test"), "\(listing)")

        // And a failed message is not tried again by later flushes
        try sandbox.makePendingMailDue()
        let third = try sandbox.flush(sink.sendmail)
        #expect(third.status == 0, "\(third)")
        #expect(try third.flushSummary() == (0, 0, 0))

        // When an admin retries the failed messages
        let retry = try sandbox.succeed(["notify", "retry", "--failed", "--json"])
        #expect(try retry.json()["requeued"] as? Int == 1)
        // Then it is pending again with its attempts reset, and the next flush tries it again
        auto = try sandbox.outbox()[1]
        #expect(auto["status"] as? String == "pending" && auto["attempts"] as? Int == 0, "\(auto)")
        let fourth = try sandbox.flush(sink.sendmail)
        #expect(fourth.status == 75)
        #expect(try fourth.flushSummary() == (0, 1, 0))
        #expect(try sandbox.attempts().count == 4)
        // And `notify retry` refuses a message that was sent
        let sentID = try #require(try sandbox.outbox()[0]["id"] as? Int)
        let refused = try sandbox.run(["notify", "retry", String(sentID)])
        #expect(refused.status == 65, "\(refused)")
    }

    enum Receiver: String, CaseIterable, Sendable {
        /// Nothing listens on the port: msmtp exits 75.
        case notRunning
        /// Accepts and never greets: msmtp times out (2 s here) and exits 74.
        case silent
        /// Accepts and hangs up at once: msmtp exits 76.
        case hangup
        /// Takes the whole message and hangs up before answering the final dot: msmtp exits 76.
        case hangupAfterData

        var mode: SMTPSink.Mode {
            switch self {
            case .notRunning: .normal
            case .silent: .silent
            case .hangup: .hangup
            case .hangupAfterData: .hangupAfterData
            }
        }

        var msmtpStatus: Int { [.notRunning: 75, .silent: 74, .hangup: 76, .hangupAfterData: 76][self]! }
        var outcome: String { [.notRunning: "retry", .silent: "retry", .hangup: "failed", .hangupAfterData: "failed"][self]! }
    }

    @Test(arguments: Receiver.allCases)
    func receiverThatCannotTakeTheMessage(_ receiver: Receiver) throws {
        // Given one message queued, and a receiver that is down, silent, or hangs up
        let sandbox = try Sandbox()
        let sink = try SMTPSink(in: sandbox, mode: receiver.mode, msmtpTimeout: 2)
        defer { sink.stop() }
        if receiver == .notRunning { sink.stop() }
        try sandbox.enableMail()
        try sandbox.createTicket(subject: "receiver \(receiver.rawValue)")
        // When it is flushed
        let started = Date()
        let flush = try sandbox.flush(sink.sendmail)
        // Then flush exits 75 (within msmtp's time limit), and the message waits for another try
        #expect(flush.status == 75, "\(flush)")
        #expect(Date().timeIntervalSince(started) < 15)
        let row = try #require(try sandbox.outbox().first)
        #expect(row["status"] as? String == "pending" && row["attempts"] as? Int == 1, "\(row)")
        #expect((row["lastError"] as? String ?? "").contains("exit status \(receiver.msmtpStatus)"), "\(row)")
        // And the attempt records msmtp's exit status and how it was judged
        let attempt = try #require(try sandbox.attempts().last)
        #expect(attempt.exitStatus == receiver.msmtpStatus)
        #expect(attempt.outcome == receiver.outcome)
        // And nothing arrived
        #expect(try sink.received(brief: true, in: sandbox).isEmpty)
    }

    // MARK: the mail program

    @Test func missingMailProgramExits78AndTouchesNothing() throws {
        // Given two messages queued
        let sandbox = try Sandbox()
        try sandbox.enableMail(autoResponse: true)
        try sandbox.succeed(["ticket", "create", "--subject", "s", "--category", "bug-report",
                             "--requester", "jane@example.test", "--message", "hello"])
        let before = try sandbox.succeed(["notify", "list", "--json"]).out
        // When flush is given a program that does not exist (by path, on PATH, or in the setting)
        for sendmail in ["/nonexistent", "/nonexistent/sendmail -i", "no-such-mailer-program -t"] {
            let result = try sandbox.run(["notify", "flush", "--sendmail", sendmail])
            // Then it exits 78 (EX_CONFIG) saying what is wrong
            #expect(result.status == 78, "\(sendmail): \(result)")
            #expect(result.err.contains("mail program"), "\(result)")
        }
        try sandbox.succeed(["settings", "set", "sendmail_command", "/nonexistent/sendmail -i"])
        let fromSetting = try sandbox.run(["notify", "flush", "--quiet"])
        #expect(fromSetting.status == 78, "\(fromSetting)")
        // And a dry run sends nothing and changes nothing
        let dry = try sandbox.run(["notify", "flush", "--dry-run"])
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.out.contains("2 messages would be sent"), "\(dry)")
        // And the outbox is untouched: still pending, no attempt, no error, nothing recorded
        #expect(try sandbox.succeed(["notify", "list", "--json"]).out == before)
        #expect(try sandbox.attempts().isEmpty)
    }

    @Test func hangingProgramIsKilledWithItsChildrenAndTheMessageRetried() throws {
        // Given a mail program that starts a child and waits forever
        let sandbox = try Sandbox()
        try sandbox.enableMail()
        try sandbox.createTicket(subject: "hang")
        let pidFile = sandbox.directory.appendingPathComponent("hang.pids")
        defer {
            // whatever happened, leave nothing running
            for pid in ((try? String(contentsOf: pidFile, encoding: .utf8)) ?? "").split(separator: " ") {
                if let pid = Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)), !processIsGone(pid) { kill(pid, SIGKILL) }
            }
        }
        // When it is flushed with a 2 second limit
        let started = Date()
        let flush = try sandbox.flush("\(MailTools.fakeSendmail) --hang --pid-file \(pidFile.path)", ["--timeout", "2"])
        let elapsed = Date().timeIntervalSince(started)
        // Then flush gives up after about 2 s and exits 75
        #expect(flush.status == 75, "\(flush)")
        #expect(elapsed >= 2 && elapsed < 10, "took \(elapsed) s")
        // And the program and its child are gone (killed with their process group)
        let pids = try String(contentsOf: pidFile, encoding: .utf8).split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(pids.count == 2)
        for pid in pids {
            #expect(processIsGone(pid), "process \(pid) still runs")
        }
        // And the message is pending after one attempt, recorded as a time-out to retry
        let row = try #require(try sandbox.outbox().first)
        #expect(row["status"] as? String == "pending" && row["attempts"] as? Int == 1, "\(row)")
        #expect((row["lastError"] as? String ?? "").contains("did not finish in time"), "\(row)")
        #expect(try sandbox.attempts().map(\.outcome) == ["retry"])
    }

    struct ExitCase: Sendable, CustomStringConvertible {
        var status: Int
        var stderr: String
        var outcome: String
        var description: String { "exit \(status) \(stderr.debugDescription)" }
    }

    /// README: 75, 74, 68 and a 69 whose stderr shows a 4xx reply are temporary; anything else
    /// counts as a plain attempt. Either way the message waits (attempts 1 of 8).
    static let exitCases: [ExitCase] = [
        ExitCase(status: 75, stderr: "fake: queue full, try later", outcome: "retry"),
        ExitCase(status: 74, stderr: "fake: network read error", outcome: "retry"),
        ExitCase(status: 68, stderr: "fake: unknown host", outcome: "retry"),
        ExitCase(status: 69, stderr: "fake: server message: 451 4.7.1 greylisted", outcome: "retry"),
        ExitCase(status: 69, stderr: "fake: server message: 554 5.7.1 relay denied", outcome: "failed"),
        ExitCase(status: 1, stderr: "", outcome: "failed"),
    ]

    @Test(arguments: exitCases)
    func mailProgramExitStatusDecidesTheOutcome(_ exit: ExitCase) throws {
        // Given a mail program that reads the message and exits with `status`, saying `stderr`
        let sandbox = try Sandbox()
        try sandbox.enableMail()
        try sandbox.createTicket(subject: "exit \(exit.status)")
        let out = try sandbox.makeDirectory("out")
        // (sendmail_command is split like a shell would: the quotes keep the text one word)
        let command = "\(MailTools.fakeSendmail) --out \(out.path) --exit \(exit.status) --stderr '\(exit.stderr)'"
        // When flushed
        let flush = try sandbox.flush(command)
        // Then flush exits 75; the message is pending after one attempt, its last error is the
        // exit status and the program's last stderr line, and the attempt is judged `outcome`
        #expect(flush.status == 75, "\(flush)")
        let row = try #require(try sandbox.outbox().first)
        #expect(row["status"] as? String == "pending" && row["attempts"] as? Int == 1, "\(row)")
        let expected = exit.stderr.isEmpty ? "exit status \(exit.status)" : "exit status \(exit.status): \(exit.stderr)"
        #expect(row["lastError"] as? String == expected)
        let attempt = try #require(try sandbox.attempts().first)
        #expect(attempt.outcome == exit.outcome && attempt.exitStatus == exit.status, "\(attempt)")
        // And the program was given the envelope on its command line, never -t
        let saved = try MailTools.received([out], brief: true, in: sandbox)
        #expect(saved.map(\.rcptTos) == [[Sandbox.supportAddress]])
        #expect(saved.map(\.mailFrom) == [Sandbox.supportAddress])
    }

    @Test func programThatExitsWithoutReadingDoesNotKillSupport() throws {
        // Given one message larger than a pipe holds (60,000 '=' become 180 kB of quoted-printable)
        // and five small ones
        let sandbox = try Sandbox()
        try sandbox.enableMail()
        try sandbox.succeed(["ticket", "create", "--subject", "large", "--category", "bug-report", "--message", "-"],
                            stdin: Data(String(repeating: "=", count: 60_000).utf8))
        for i in 1...5 { try sandbox.createTicket(subject: "small \(i)") }

        // When a program that exits 0 at once, without reading, is given them, four at a time
        let flush = try sandbox.flush("\(MailTools.fakeSendmail) --no-read --exit 0", ["--jobs", "4"])
        // Then support is not killed (no SIGPIPE): it exits 75
        #expect(!flush.signaled && flush.status == 75, "\(flush)")
        #expect(try flush.flushSummary() == (0, 6, 0))
        // And every message, large or small, waits for another try: the program did not read it
        for row in try sandbox.outbox() {
            #expect(row["status"] as? String == "pending" && row["attempts"] as? Int == 1, "\(row)")
            #expect((row["lastError"] as? String ?? "").contains("without reading"), "\(row)")
        }

        // When a program that exits 75 without reading is given them
        try sandbox.makePendingMailDue()
        let again = try sandbox.flush("\(MailTools.fakeSendmail) --no-read --exit 75 --stderr 'fake: not now'", ["--jobs", "4"])
        // Then support survives again, and each message was attempted once more
        #expect(!again.signaled && again.status == 75, "\(again)")
        for row in try sandbox.outbox() {
            #expect(row["status"] as? String == "pending" && row["attempts"] as? Int == 2, "\(row)")
            #expect(row["lastError"] as? String == "exit status 75: fake: not now", "\(row)")
        }

        // And a program that reads only the first line and exits 0 has not taken the message either
        try sandbox.makePendingMailDue()
        let head = try sandbox.writeScript("read-one-line", "#!/bin/sh\nread -r line\nexit 0\n")
        let partial = try sandbox.flush(head, ["--limit", "1"])
        #expect(partial.status == 75, "\(partial)")
        #expect(try sandbox.outbox()[0]["attempts"] as? Int == 3)
    }
}

// MARK: - helpers

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let withFraction: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

/// One row of `outbox_attempt`.
struct RecordedAttempt: Sendable, CustomStringConvertible {
    var outboxID: Int
    var outcome: String
    var exitStatus: Int?
    var detail: String?
    var description: String { "#\(outboxID) \(outcome) \(exitStatus.map(String.init) ?? "-") \(detail ?? "")" }
}

extension Sandbox {
    /// Every recorded attempt, oldest first (read with the sqlite3 shell).
    func attempts(sourceLocation: SourceLocation = #_sourceLocation) throws -> [RecordedAttempt] {
        let result = try shell("""
            sqlite3 -json "$SUPPORT_DB" "SELECT outboxID, outcome, exitStatus, detail FROM outbox_attempt ORDER BY id"
            """)
        try #require(result.status == 0, "\(result)", sourceLocation: sourceLocation)
        let text = result.out.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return [] }
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]],
                                sourceLocation: sourceLocation)
        return rows.map {
            RecordedAttempt(outboxID: $0["outboxID"] as? Int ?? -1, outcome: $0["outcome"] as? String ?? "?",
                            exitStatus: $0["exitStatus"] as? Int, detail: $0["detail"] as? String)
        }
    }
}

/// True when `pid` no longer runs (gone, or a zombie waiting for a parent that does not reap).
func processIsGone(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")")
    else { return true }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state == "Z" || state == "X"
}
