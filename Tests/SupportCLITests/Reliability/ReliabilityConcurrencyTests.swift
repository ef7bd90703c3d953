import Foundation
import Testing

/// Part 1: several processes at once on one file, as cron and people at terminals would run
/// them: creating tickets, replying (staff and requesters), updating, and flushing mail.
@Suite("reliability: several processes at once")
struct ReliabilityConcurrencyTests {
    /// A worker: a shell loop running one kind of command `rounds` times, logging each exit
    /// status to `$LOG` and each stderr line to `$ERR`.
    struct Worker {
        var name: String
        var rounds: Int
        /// The command of round `$i` (shell text; `$S` is the support binary).
        var command: String
    }

    @Test func creatorsRespondersUpdatersAndFlushersShareOneFile() throws {
        // Given a database with mail on (new-ticket notice and auto-response), one staff member
        // and six tickets of six requesters, and a fake sendmail appending to one mailbox
        let sandbox = try Sandbox()
        try sandbox.reliabilityEnableMail()
        try sandbox.succeed(["user", "add", "staff@example.test", "--role", "internal"])
        let preexisting = 6
        for k in 1...preexisting {
            try sandbox.succeed(["ticket", "create", "--subject", "pre \(k)", "--category", "bug-report", "--message", "m",
                                 "--requester", "pre\(k)@example.test"])
        }
        let mailbox = sandbox.directory.appendingPathComponent("mailbox").path
        let sendmail = try sandbox.reliabilityMailboxSendmail(mailbox: mailbox)
        let year = Sandbox.year
        let stop = sandbox.directory.appendingPathComponent("stop-flushing").path

        // When 3 creators, 2 staff responders, 1 requester responder, 1 updater and 2 flushers run at once
        let number = #"ST-\#(year)-00$(( (i % \#(preexisting)) + 1 ))"#
        let workers = [
            Worker(name: "create-1", rounds: 20, command: #""$S" ticket create --subject "c1 $i" --category bug-report --message "load 1 $i" --requester "c1@example.test""#),
            Worker(name: "create-2", rounds: 20, command: #"printf 'message %s\nfrom stdin\n' "$i" | "$S" ticket create --subject "c2 $i" --category technical-issue --message - --requester "c2@example.test""#),
            Worker(name: "create-3", rounds: 20, command: #""$S" ticket create --subject "c3 $i" --category general-inquiry --message "load 3 $i" --requester "c3@example.test""#),
            Worker(name: "respond-staff-1", rounds: 12, command: #""$S" --as staff@example.test respond \#(number) --message "staff reply $i""#),
            Worker(name: "respond-staff-2", rounds: 12, command: #""$S" --as staff@example.test respond \#(number) --internal --message "note $i""#),
            Worker(name: "respond-requester", rounds: 8, command: #"k=$(( (i % \#(preexisting)) + 1 )); "$S" --as "pre$k@example.test" respond "ST-\#(year)-00$k" --message "requester reply $i""#),
            Worker(name: "update", rounds: 12, command: #"if [ $((i % 2)) -eq 0 ]; then st=resolved; else st=in-progress; fi; "$S" --as staff@example.test ticket update \#(number) --status $st --priority high"#),
        ]
        let log = sandbox.directory.appendingPathComponent("rc.log").path
        let errors = sandbox.directory.appendingPathComponent("stderr.log").path
        let script = { (w: Worker) in
            """
            S="$SUPPORT"; i=1
            while [ "$i" -le \(w.rounds) ]; do
                \(w.command) >/dev/null 2>>"$ERR.\(w.name)"
                echo "\(w.name) $?" >> "$LOG"
                i=$((i + 1))
            done
            """
        }
        let flusher = """
            S="$SUPPORT"; n=0
            while [ ! -e "\(stop)" ]; do
                "$S" notify flush --quiet --jobs 2 --limit 6 --sendmail "$SENDMAIL" 2>>"$ERR.flush-$F"; echo "flush-$F $?" >> "$LOG"
                n=$((n + 1)); sleep 0.05
            done
            """
        let started = Date()
        let flushers = try (1...2).map { f in
            try sandbox.launchShell(flusher, environment: ["LOG": log, "ERR": errors, "SENDMAIL": sendmail, "F": String(f)])
        }
        let running = try workers.map { w in try sandbox.launchShell(script(w), environment: ["LOG": log, "ERR": errors]) }
        let results = try running.map { try $0.wait(timeout: 300) }
        _ = FileManager.default.createFile(atPath: stop, contents: nil)
        let flushResults = try flushers.map { try $0.wait(timeout: 300) }
        let elapsed = Date().timeIntervalSince(started)
        for result in results + flushResults { #expect(result.status == 0, "\(result)") }

        // Then every command of every worker exited 0 ...
        let statuses = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let lines = statuses.split(separator: "\n")
        let failed = lines.filter { !$0.hasSuffix(" 0") }
        #expect(failed.isEmpty, "commands that failed: \(failed)")
        let expectedCommands = workers.reduce(0) { $0 + $1.rounds }
        #expect(lines.filter { !$0.hasPrefix("flush-") }.count == expectedCommands)
        // ... and no one was told the database was locked or busy (nothing at all on stderr)
        var stderrText = ""
        for file in (try? FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path)) ?? [] where file.hasPrefix("stderr.log") {
            stderrText += (try? String(contentsOfFile: sandbox.directory.appendingPathComponent(file).path, encoding: .utf8)) ?? ""
        }
        #expect(!stderrText.lowercased().contains("locked") && !stderrText.lowercased().contains("busy"), "\(stderrText.prefix(2000))")
        #expect(stderrText.isEmpty, "\(stderrText.prefix(2000))")

        // And the ticket numbers are unique and gap-free
        let created = preexisting + 60
        let list = try sandbox.succeed(["ticket", "list", "--status", "all", "--json", "--limit", "500"]).json()
        let numbers = (list["tickets"] as? [[String: Any]] ?? []).compactMap { $0["ticketNumber"] as? String }
        #expect(numbers.count == created)
        #expect(Set(numbers) == Set((1...created).map(Sandbox.number)))

        // And after a last flush every queued message was sent exactly once: one copy of each
        // Message-ID in the mailbox, and each outbox row sent after one attempt
        let last = try sandbox.run(["notify", "flush", "--sendmail", sendmail])
        #expect(last.status == 0, "\(last)")
        let outbox = try sandbox.reliabilityOutbox()
        let delivered = Sandbox.reliabilityMessageIDs(inMailbox: mailbox)
        let counts = Dictionary(delivered.map { ($0, 1) }, uniquingKeysWith: +)
        let duplicates = counts.values.filter { $0 > 1 }.count
        let lost = outbox.filter { counts[$0.messageID] == nil }.count
        #expect(outbox.allSatisfy { $0.status == "sent" && $0.attempts == 1 }, "\(outbox.filter { $0.status != "sent" || $0.attempts != 1 })")
        #expect(duplicates == 0)
        #expect(lost == 0)
        #expect(Set(delivered) == Set(outbox.map(\.messageID)))
        // (6 + 60 new tickets: a notice each, an auto-response for the 30 with a requester other
        // than the operator; 12 staff replies and 8 requester replies: one message each; every
        // second update resolves: a status mail when the status changed.)
        #expect(outbox.count >= created + 30 + 12 + 8)
        #expect(try sandbox.reliabilityIntegrity() == "ok")

        ReliabilityFigures.report("concurrency", [
            "processes": workers.count + flushers.count, "commands": lines.count + 1, "tickets": numbers.count,
            "mails": outbox.count, "delivered": delivered.count, "duplicates": duplicates, "lost": lost,
            "failures": failed.count, "seconds": Int(elapsed.rounded()),
        ])
    }
}
