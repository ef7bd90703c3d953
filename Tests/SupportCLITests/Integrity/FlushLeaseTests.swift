import Foundation
import Testing

/// Exactly-once under concurrent flushes: `--jobs N` runs N mail programs at once, each result is
/// recorded as it comes, and a live flush keeps its leases however long it works.
@Suite("notify flush: jobs and leases")
struct FlushLeaseTests {
    /// A mail program that logs each Message-ID, notes how many copies of itself run at once,
    /// and takes `seconds`.
    /// `firstSeconds`: how long the first run takes instead.
    static func slowSendmail(in sandbox: Sandbox, seconds: Double, firstSeconds: Double? = nil) throws -> (command: String, log: URL, concurrency: URL) {
        let running = try sandbox.makeDirectory("running")
        let log = sandbox.directory.appendingPathComponent("delivered.log")
        let concurrency = sandbox.directory.appendingPathComponent("concurrency.log")
        let script = try sandbox.writeScript("slow-sendmail.sh", """
            #!/bin/sh
            msg=$(cat)
            id=$(printf '%s\\n' "$msg" | grep -i -m1 '^Message-ID:' | tr -d '\\r')
            touch "\(running.path)/$$"
            ls "\(running.path)" | wc -l >> "\(concurrency.path)"
            if mkdir "\(sandbox.directory.path)/first-run" 2>/dev/null; then sleep \(firstSeconds ?? seconds); else sleep \(seconds); fi
            rm -f "\(running.path)/$$"
            echo "$id" >> "\(log.path)"
            exit 0
            """)
        return (script, log, concurrency)
    }

    @Test(arguments: [(16, 16), (64, 64), (24, 4)])
    func twoFlushesOutlivingTheirLeaseManyTimesSendEachMessageOnce(messages: Int, jobs: Int) throws {
        // Given queued messages and a mail program that takes 2 s, four times the lease
        let sandbox = try Sandbox()
        try sandbox.enableMail()
        let create = (1...messages).map { n in
            "\"$SUPPORT\" ticket create --subject 'Ticket \(n)' --category bug-report --message m --requester r\(n)@example.test >/dev/null || exit 1"
        }
        try #require(try sandbox.shell(create.joined(separator: "\n")).status == 0)
        try #require(try sandbox.outbox().count == messages)
        let mail = try Self.slowSendmail(in: sandbox, seconds: 2)
        // When two flushes with `jobs` jobs each start together, with a lease of half a second
        let flushes = try (0..<2).map { _ in
            try sandbox.launch(["notify", "flush", "--json", "--jobs", String(jobs), "--sendmail", mail.command],
                               environment: ["SUPPORT_MAIL_LEASE_SECONDS": "0.5"])
        }
        let results = try flushes.map { try $0.wait(timeout: 120) }
        // Then together they sent 16, each message exactly once
        var sent = 0
        for result in results {
            #expect(result.status == 0 && !result.signaled, "\(result)")
            sent += try result.flushSummary().sent
        }
        #expect(sent == messages)
        let delivered = try String(contentsOf: mail.log, encoding: .utf8).split(separator: "\n")
        #expect(delivered.count == messages, "\(delivered)")
        #expect(Set(delivered).count == messages, "sent twice: \(delivered)")
        #expect(try sandbox.outbox().allSatisfy { $0["status"] as? String == "sent" && $0["attempts"] as? Int == 1 })
        // And `--jobs 16` ran far more programs at once than this machine has CPUs
        let most = try String(contentsOf: mail.concurrency, encoding: .utf8).split(separator: "\n")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.max() ?? 0
        // (two flushes of `jobs` each: up to twice that; at least `jobs`, whatever the CPUs, and
        // never more than the two together may run)
        #expect(most >= min(jobs, 8) && most <= 2 * jobs,
                "at most \(most) mail programs at once (\(ProcessInfo.processInfo.activeProcessorCount) CPUs)")
        print("flush lease: \(messages) messages of 2 s, --jobs \(jobs), lease 0.5 s, two flushes: sent \(sent), \(Set(delivered).count) distinct, up to \(most) at once")
    }

    @Test func eachResultIsRecordedAsItComes() throws {
        // Given 2 messages, the first send fast and the other slow
        let sandbox = try Sandbox()
        try sandbox.enableMail()
        for n in 1...2 { try sandbox.createTicket(subject: "Ticket \(n)", extra: ["--requester", "r\(n)@example.test"]) }
        let mail = try Self.slowSendmail(in: sandbox, seconds: 6, firstSeconds: 0)
        // When a flush sends both at once, and the outbox is read while it works
        let flush = try sandbox.launch(["notify", "flush", "--json", "--jobs", "2", "--sendmail", mail.command])
        var sentWhileRunning = 0
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.3)
            let statuses = try sandbox.outbox().map { $0["status"] as? String }
            sentWhileRunning = statuses.filter { $0 == "sent" }.count
            if sentWhileRunning > 0 && statuses.contains("sending") { break }
        }
        let result = try flush.wait(timeout: 120)
        // Then the fast result was in the outbox while the slow message was still being sent
        #expect(result.status == 0, "\(result)")
        #expect(sentWhileRunning == 1)
        #expect(try result.flushSummary().sent == 2)
    }
}
