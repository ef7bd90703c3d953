import Foundation
import Testing

/// Cron overlap and crashes: two flushes at once never send a message twice, and a flush killed
/// with SIGKILL at any moment loses nothing (a message may go twice then, always the same bytes).
@Suite("Mail flush concurrency and crashes")
struct MailFlushConcurrencyTests {
    /// Opens `tickets` tickets, each from its own requester, in `workers` shell loops at once.
    /// With the auto-response on, each ticket queues two messages.
    static func openTickets(_ tickets: Int, workers: Int, in sandbox: Sandbox,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let perWorker = tickets / workers
        try #require(perWorker * workers == tickets, sourceLocation: sourceLocation)
        let script = """
            i=1
            while [ "$i" -le \(perWorker) ]; do
                "$SUPPORT" ticket create --subject "worker $WORKER ticket $i" --category general-inquiry \
                    --requester "r$WORKER.$i@example.test" --message "load $WORKER $i" >/dev/null || exit $?
                i=$((i + 1))
            done
            """
        let running = try (1...workers).map { try sandbox.launchShell(script, environment: ["WORKER": String($0)]) }
        for result in try running.map({ try $0.wait(timeout: 300) }) {
            try #require(result.status == 0, "\(result)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Engine.available) func twoFlushesAtOnceSendEachOf500MessagesExactlyOnce(engine: Engine) throws {
        // Given 500 messages queued (250 tickets, each with a notice and an auto-response)
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail(autoResponse: true)
        try Self.openTickets(250, workers: 5, in: sandbox)
        let queued = try sandbox.outbox()
        try #require(queued.count == 500)
        let out = try sandbox.makeDirectory("delivered")
        let sendmail = "\(MailTools.fakeSendmail) --out \(out.path)"

        // When two flushes, four pipes each, start together (cron overlap)
        let flushes = try (0..<2).map { _ in
            try sandbox.launch(["notify", "flush", "--json", "--jobs", "4", "--sendmail", sendmail])
        }
        let results = try flushes.map { try $0.wait(timeout: 120) }

        // Then both succeed, and together they sent 500
        var sent: [Int] = []
        for result in results {
            #expect(result.status == 0 && !result.signaled, "\(result)")
            let summary = try result.flushSummary()
            #expect(summary.retried == 0 && summary.failed == 0)
            sent.append(summary.sent)
        }
        #expect(sent.reduce(0, +) == 500, "sent \(sent)")

        // And each message arrived exactly once, to its recipient, as counted by Message-ID
        let delivered = try MailTools.received([out], brief: true, in: sandbox)
        #expect(delivered.count == 500)
        var copies: [String: Int] = [:]
        for mail in delivered { copies[mail.bareMessageID ?? "?", default: 0] += 1 }
        let twice = copies.filter { $0.value > 1 }
        #expect(twice.isEmpty, "sent more than once: \(twice.prefix(5))")
        let expected = Dictionary(uniqueKeysWithValues: queued.map { ($0["messageId"] as? String ?? "", $0["recipient"] as? String ?? "") })
        #expect(Set(copies.keys) == Set(expected.keys))
        for mail in delivered {
            #expect(mail.rcptTos == [expected[mail.bareMessageID ?? ""] ?? "?"], "\(mail.file)")
        }
        // And the outbox says every one was sent on its first attempt
        let after = try sandbox.outbox()
        #expect(after.allSatisfy { $0["status"] as? String == "sent" && $0["attempts"] as? Int == 1 })
        print("mail figures: two flushes at once over 500 messages: sent \(sent[0]) + \(sent[1]), duplicates \(twice.count)")
    }

    @Test(arguments: Engine.available) func flushKilledAtRandomMomentsLosesNothingAndDuplicatesAreIdentical(engine: Engine) throws {
        // Given 120 messages queued and a mail program that takes about 50 ms a message
        let sandbox = try Sandbox(engine: engine)
        try sandbox.enableMail(autoResponse: true)
        try Self.openTickets(60, workers: 3, in: sandbox)
        let queued = try sandbox.outbox()
        try #require(queued.count == 120)
        let out = try sandbox.makeDirectory("delivered")
        let sendmail = "\(MailTools.fakeSendmail) --out \(out.path) --sleep 0.05"
        let seed = UInt64(ProcessInfo.processInfo.environment["MAIL_KILL_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)

        // When a flush (1, 2 or 4 pipes) is killed with SIGKILL after 0-300 ms, 24 times
        let kills = 24
        var killedWhileRunning = 0
        var dueBeforeKill: [Int] = []
        for _ in 0..<kills {
            dueBeforeKill.append(try sandbox.outbox().filter { $0["status"] as? String != "sent" }.count)
            let jobs = [1, 2, 4][Int(random.next() % 3)]
            let flush = try sandbox.launch(["notify", "flush", "--quiet", "--jobs", String(jobs), "--sendmail", sendmail])
            usleep(UInt32(random.next() % 300_001))
            flush.send(SIGKILL)
            let result = try flush.wait(timeout: 60)
            if result.signaled { killedWhileRunning += 1 } else { #expect(result.status == 0, "\(result)") }
        }
        // And then a flush runs to the end
        let final = try sandbox.flush(sendmail, ["--jobs", "4"])

        // Then it succeeds and every message is sent
        #expect(final.status == 0, "seed \(seed): \(final)")
        let after = try sandbox.outbox()
        let unsent = after.filter { $0["status"] as? String != "sent" }
        #expect(unsent.isEmpty, "seed \(seed): not sent: \(unsent.prefix(3))")
        #expect(killedWhileRunning >= 20, "only \(killedWhileRunning) of \(kills) flushes were still running when killed")

        // And every message arrived at least once; a message that arrived twice (sent by a flush
        // killed before it could record the send) has the same Message-ID and the same bytes
        waitForOrphans(in: out)
        let delivered = try MailTools.received([out], brief: true, in: sandbox)
        // (a copy without a Message-ID is a message the program got only part of)
        let partial = delivered.filter { $0.messageID == nil }
        let partialText = partial.prefix(3).map { "\($0.file) (\(fileSize($0.file)) bytes) to \($0.rcptTos)" }.joined(separator: ", ")
        #expect(partial.isEmpty, "seed \(seed): \(partial.count) partial messages handed to the mail program: \(partialText)")
        var byID: [String: [ReceivedMail]] = [:]
        for mail in delivered where mail.messageID != nil { byID[mail.bareMessageID ?? "?", default: []].append(mail) }
        let ids = Set(queued.compactMap { $0["messageId"] as? String })
        #expect(ids.isSubset(of: Set(byID.keys)), "seed \(seed): lost \(ids.subtracting(byID.keys).prefix(5))")
        #expect(Set(byID.keys).isSubset(of: ids), "seed \(seed): unknown \(Set(byID.keys).subtracting(ids).prefix(5))")
        let duplicates = byID.filter { $0.value.count > 1 }
        for (id, copies) in duplicates {
            #expect(Set(copies.map(\.sha256)).count == 1, "seed \(seed): copies of \(id) differ")
            #expect(Set(copies.flatMap(\.rcptTos)).count == 1, "seed \(seed): copies of \(id) went to different recipients")
        }
        print("mail figures: kill test seed \(seed): \(kills) SIGKILLs (\(killedWhileRunning) while running), "
              + "due before each kill \(dueBeforeKill), \(delivered.count) deliveries of \(ids.count) messages, "
              + "\(duplicates.count) sent twice or more (\(delivered.count - byID.count) extra copies)")
    }

    @Test(arguments: Engine.available) func flushKilledWhileMsmtpWaitsToReadStillHandsItTheWholeMessage(engine: Engine) throws {
        // Given a message of 180 kB (larger than a pipe holds) and a mail program, msmtp into the
        // receiver, that starts reading only after 600 ms
        let sandbox = try Sandbox(engine: engine)
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        try sandbox.enableMail()
        let text = String(repeating: "=", count: 60_000)
        try sandbox.succeed(["ticket", "create", "--subject", "large", "--category", "bug-report", "--message", "-"],
                            stdin: Data(text.utf8))
        let started = sandbox.directory.appendingPathComponent("program-started")
        let slow = try sandbox.writeScript("slow-msmtp", """
            #!/bin/sh
            : > "\(started.path)"
            sleep 0.6
            exec \(try MailTools.msmtp.get()) -C \(sink.msmtprc.path) -i "$@"
            """)

        // When the flush is killed with SIGKILL while the program still waits (once it has
        // started: a kill after a guessed 300 ms came before the program when the machine was
        // busy), the orphaned program goes on to send, and a later flush runs to the end
        let flush = try sandbox.launch(["notify", "flush", "--quiet", "--sendmail", slow])
        let startDeadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: started.path) && Date() < startDeadline { usleep(10_000) }
        try #require(FileManager.default.fileExists(atPath: started.path), "the flush never started the mail program")
        flush.send(SIGKILL)
        #expect(try flush.wait().signaled)
        let deadline = Date().addingTimeInterval(10)
        while try sink.received(brief: true, in: sandbox).isEmpty && Date() < deadline { usleep(100_000) }
        let final = try sandbox.flush(sink.sendmail)
        #expect(final.status == 0, "\(final)")

        // Then the receiver got the message twice (the killed flush could not record its send),
        // both copies whole: the same bytes, the full text, the same Message-ID
        let copies = try sink.received(in: sandbox)
        #expect(copies.count == 2)
        #expect(Set(copies.map(\.sha256)).count == 1, "copies differ: sizes \(copies.map { fileSize($0.file) })")
        #expect(Set(copies.compactMap(\.messageID)).count == 1)
        for copy in copies {
            #expect(copy.body?.contains(text) == true, "\(copy.file): \(fileSize(copy.file)) bytes")
        }
    }

    /// A killed flush leaves its mail program running (it has its own process group); wait until
    /// no message is half written.
    func waitForOrphans(in directory: URL) {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            if !names.contains(where: { $0.hasSuffix(".part") }) { break }
            usleep(20_000)
        }
        usleep(100_000)
    }
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
}
