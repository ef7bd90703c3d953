import Foundation
import Testing

/// Part 2: `support` killed with SIGKILL at random moments while it writes. After each trial
/// the file must be sound (the sqlite3 shell's `PRAGMA integrity_check`), nothing half-written
/// may be visible, what a command reported as done must be there in full, the next command
/// must work, and mail must still go out, at least once, under the Message-ID it was given.
@Suite("reliability: SIGKILL at random moments")
struct ReliabilityCrashTests {
    enum Operation: String, CaseIterable, Sendable {
        case create, respond, update, `import`, settingsSet = "settings-set", notifyFlush = "notify-flush"
    }

    static let trialsPerOperation = 20
    static let importSize = 150

    /// Violations of the rules that hold between tables whatever was interrupted, each a count
    /// that must be 0. Imported tickets carry no mail and no per-reply audit, and are left out
    /// of those two rules.
    static let invariants = """
        WITH imported AS (SELECT ticketNumber FROM audit_event WHERE action = 'ticket.created' AND field = 'import')
        SELECT
          (SELECT count(*) FROM ticket t WHERE NOT EXISTS (SELECT 1 FROM audit_event e
              WHERE e.ticketNumber = t.ticketNumber AND e.action = 'ticket.created')) AS ticketWithoutAudit,
          (SELECT count(*) FROM audit_event e WHERE e.action = 'ticket.created'
              AND NOT EXISTS (SELECT 1 FROM ticket t WHERE t.ticketNumber = e.ticketNumber)) AS auditWithoutTicket,
          (SELECT count(*) FROM ticket t WHERE t.ticketNumber NOT IN imported AND NOT EXISTS (SELECT 1 FROM outbox o
              WHERE o.ticketNumber = t.ticketNumber AND o.kind = 'new-ticket')) AS ticketWithoutMail,
          (SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM ticket t WHERE t.ticketNumber = o.ticketNumber)) AS mailWithoutTicket,
          (SELECT count(*) FROM response r JOIN ticket t ON t.id = r.ticketId WHERE t.ticketNumber NOT IN imported
              AND NOT EXISTS (SELECT 1 FROM audit_event e WHERE e.action IN ('ticket.replied', 'ticket.noted')
                              AND e.newValue = CAST(r.id AS TEXT))) AS replyWithoutAudit,
          (SELECT count(*) FROM response r JOIN ticket t ON t.id = r.ticketId
              WHERE r.isInternal = 0 AND t.updatedAt < r.createdAt) AS replyWithoutTicketUpdate,
          (SELECT count(*) FROM response r JOIN ticket t ON t.id = r.ticketId JOIN user u ON u.id = r.respondedBy
              WHERE r.isInternal = 0 AND u.role != 'user' AND t.ticketNumber NOT IN imported
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'staff-reply' AND o.ticketNumber = t.ticketNumber
                              AND o.createdAt = r.createdAt)) AS staffReplyWithoutMail,
          (SELECT count(*) FROM ticket_sequence s WHERE s.lastNumber !=
              (SELECT count(*) FROM ticket t WHERE t.ticketNumber LIKE 'ST-' || s.year || '-%')) AS numberGap,
          (SELECT count(*) FROM ticket t WHERE (t.status >= 2) != (t.resolvedAt IS NOT NULL)
              OR (t.status = 3) != (t.closedAt IS NOT NULL)) AS milestoneMismatch,
          (SELECT count(*) FROM ticket t WHERE t.status != coalesce((SELECT CASE e.newValue WHEN 'Open' THEN 0
              WHEN 'In Progress' THEN 1 WHEN 'Resolved' THEN 2 WHEN 'Closed' THEN 3 END FROM audit_event e
              WHERE e.ticketNumber = t.ticketNumber AND e.field = 'status' ORDER BY e.id DESC LIMIT 1), 0)) AS statusWithoutAudit,
          (SELECT count(*) FROM audit_event e WHERE e.field = 'status' AND e.newValue IN ('Resolved', 'Closed'))
            - (SELECT count(*) FROM outbox WHERE kind = 'status-change') AS statusMailMismatch,
          (SELECT count(*) FROM setting s WHERE s.value IS NOT (SELECT e.newValue FROM audit_event e
              WHERE e.action = 'setting.changed' AND e.field = s.key ORDER BY e.id DESC LIMIT 1)) AS settingWithoutAudit
        """

    /// A database to start each trial from: mail on, a staff member, three tickets of one
    /// requester (with their mail pending), and for the flush, a dozen more messages.
    static func template(for operation: Operation) throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.reliabilityEnableMail()
        try sandbox.succeed(["user", "add", "staff@example.test", "--role", "internal"])
        let tickets = operation == .notifyFlush ? 8 : 3
        for k in 1...tickets {
            try sandbox.succeed(["ticket", "create", "--subject", "template \(k)", "--category", "bug-report",
                                 "--message", String(repeating: "line \(k)\n", count: 50), "--requester", "r@example.test"])
        }
        if operation == .import {
            var lines = ""
            for n in 1...importSize {
                let ticket: [String: Any] = [
                    "subject": "imp-TRIAL-\(n)", "message": "imported message \(n)", "category": "bug-report",
                    "submittedBy": ["email": "importer\(n % 7)@example.test", "name": "Importer \(n % 7)"],
                    "createdAt": "2026-01-0\(n % 9 + 1)T10:00:00Z", "updatedAt": "2026-01-11T00:00:00Z",
                    "responses": [
                        ["message": "first reply \(n)", "respondedBy": ["email": "staff@example.test"], "createdAt": "2026-01-10T10:00:00Z"],
                        ["message": "note \(n)", "respondedBy": ["email": "staff@example.test"], "isInternal": true,
                         "createdAt": "2026-01-10T11:00:00Z"],
                    ],
                ]
                lines += String(decoding: try JSONSerialization.data(withJSONObject: ticket, options: [.sortedKeys]), as: UTF8.self) + "\n"
            }
            try Data(lines.utf8).write(to: sandbox.directory.appendingPathComponent("import.ndjson"))
        }
        // A steady state to copy: the files as a finished `support` leaves them.
        try sandbox.succeed(["ticket", "list"])
        return sandbox
    }

    /// The command of trial `trial`, with the text that marks its effect.
    static func command(_ operation: Operation, trial: Int, sandbox: Sandbox, sendmail: String) throws -> (arguments: [String], stdin: Data?, marker: String) {
        let marker = "\(operation.rawValue)-trial-\(trial)"
        switch operation {
        case .create:
            return (["ticket", "create", "--subject", marker, "--category", "bug-report", "--message", "-",
                     "--requester", "crash\(trial % 3)@example.test"], Data(String(repeating: "crash text\n", count: 3000).utf8), marker)
        case .respond:
            return (["respond", Sandbox.number(1 + trial % 3), "--message", marker], nil, marker)
        case .update:
            let status = ["resolved", "closed", "open", "in-progress"][trial % 4]
            return (["ticket", "update", Sandbox.number(1 + trial % 3), "--subject", marker, "--status", status,
                     "--priority", "high"], nil, marker)
        case .import:
            let text = try String(contentsOf: sandbox.directory.appendingPathComponent("import.ndjson"), encoding: .utf8)
            return (["ticket", "import"], Data(text.replacingOccurrences(of: "imp-TRIAL-", with: "\(marker)-").utf8), marker)
        case .settingsSet:
            let key = ["support_name", "support_email_template", "ticket_rate_limit_per_hour"][trial % 3]
            let value = key == "ticket_rate_limit_per_hour" ? String(100 + trial) : key == "support_name" ? marker : "Hello {{requester_name}}, \(marker)"
            return (["settings", "set", key, value], nil, marker)
        case .notifyFlush:
            return (["notify", "flush", "--jobs", "2", "--sendmail", sendmail], nil, marker)
        }
    }

    @Test(arguments: Operation.allCases)
    func killedAtRandomMomentsLosesNothing(_ operation: Operation) throws {
        // Given a template database for the operation and a mailbox that a fake sendmail appends to
        let template = try Self.template(for: operation)
        let sandbox = try Sandbox()
        let mailbox = sandbox.directory.appendingPathComponent("mailbox").path
        let sendmail = try sandbox.reliabilityMailboxSendmail(mailbox: mailbox, delay: "0.01")
        let actor: String? = operation == .respond || operation == .update ? "staff@example.test" : nil
        let seed = ReliabilityRandom.seed()
        var rng = ReliabilityRandom(seed: seed)

        // (How long the command takes when left alone: kills are spread over that time.)
        try Sandbox.reliabilityCopyDatabase(from: template.dbPath, to: sandbox.dbPath)
        let probe = try Self.command(operation, trial: 999, sandbox: template, sendmail: sendmail)
        let started = Date()
        let calibration = try sandbox.run(probe.arguments, as: actor, stdin: probe.stdin)
        let duration = Date().timeIntervalSince(started)
        try #require(calibration.status == 0, "\(calibration)")

        var killed = 0, completed = 0, failures = 0, deliveredAgain = 0
        for trial in 0..<Self.trialsPerOperation {
            try? FileManager.default.removeItem(atPath: mailbox)
            try Sandbox.reliabilityCopyDatabase(from: template.dbPath, to: sandbox.dbPath)
            let (arguments, stdin, marker) = try Self.command(operation, trial: trial, sandbox: template, sendmail: sendmail)
            let delay = ReliabilityTools.randomDelay(0.002, min(0.2, duration * 1.1), using: &rng)

            // When the command is killed with SIGKILL after `delay` (or has finished by then)
            let running = try sandbox.launch(arguments, as: actor, stdin: stdin)
            usleep(UInt32(delay * 1_000_000))
            running.send(SIGKILL)
            let result = try running.wait(timeout: 60)
            let wasKilled = result.signaled
            if wasKilled { killed += 1 } else { completed += 1 }
            var problems: [String] = []
            if !wasKilled && result.status != 0 { problems.append("finished with \(result.status): \(result.err)") }

            // Then the file is sound and no rule between tables is broken
            let integrity = try sandbox.reliabilityIntegrity()
            if integrity != "ok" { problems.append("integrity_check: \(integrity)") }
            let violations = try #require(try sandbox.reliabilityRows(Self.invariants).first)
            for (name, value) in violations where (value as? Int) != 0 {
                problems.append("\(name) = \(value)")
            }

            // And what the command did is there in full if it said so, and in full or not at all if killed
            switch operation {
            case .create:
                let count = try sandbox.reliabilityCount("SELECT count(*) FROM ticket WHERE subject = '\(marker)'")
                if !wasKilled, count != 1 { problems.append("exited 0 but the ticket is missing") }
                if count > 1 { problems.append("\(count) tickets for one create") }
            case .respond:
                let count = try sandbox.reliabilityCount("SELECT count(*) FROM response WHERE message = '\(marker)'")
                if !wasKilled, count != 1 { problems.append("exited 0 but the reply is missing") }
                if count > 1 { problems.append("\(count) replies for one respond") }
            case .update:
                let count = try sandbox.reliabilityCount("SELECT count(*) FROM ticket WHERE subject = '\(marker)' AND priority = 3")
                if !wasKilled, count != 1 { problems.append("exited 0 but the update is missing") }
                let half = try sandbox.reliabilityCount(
                    "SELECT count(*) FROM ticket WHERE (subject = '\(marker)') != (priority = 3) AND subject NOT LIKE 'template%'")
                if half != 0 { problems.append("a half-applied update") }
            case .import:
                let count = try sandbox.reliabilityCount("SELECT count(*) FROM ticket WHERE subject LIKE '\(marker)-%'")
                let replies = try sandbox.reliabilityCount(
                    "SELECT count(*) FROM response r JOIN ticket t ON t.id = r.ticketId WHERE t.subject LIKE '\(marker)-%'")
                if !wasKilled, count != Self.importSize { problems.append("exited 0 but \(count) of \(Self.importSize) imported") }
                if count != 0 && count != Self.importSize { problems.append("a partial batch: \(count) tickets") }
                if replies != 2 * count { problems.append("\(replies) replies for \(count) tickets") }
            case .settingsSet:
                let count = try sandbox.reliabilityCount(
                    "SELECT count(*) FROM setting WHERE value LIKE '%\(marker)' OR value = '\(100 + trial)'")
                if !wasKilled, count != 1 { problems.append("exited 0 but the setting is missing") }
            case .notifyFlush:
                // A flush after the killed one sends what is left: every message at least
                // once, and only under the Message-ID it was composed with
                let again = try sandbox.run(["notify", "flush", "--sendmail", sendmail])
                if again.status != 0 { problems.append("the next flush exited \(again.status): \(again.err)") }
                usleep(50_000)  // a mail program started by the killed flush may still be appending
                let outbox = try sandbox.reliabilityOutbox()
                let delivered = Sandbox.reliabilityMessageIDs(inMailbox: mailbox)
                let unsent = outbox.filter { $0.status != "sent" }
                if !unsent.isEmpty { problems.append("not sent: \(unsent)") }
                let missing = Set(outbox.map(\.messageID)).subtracting(delivered)
                if !missing.isEmpty { problems.append("never delivered: \(missing)") }
                let unknown = Set(delivered).subtracting(outbox.map(\.messageID))
                if !unknown.isEmpty { problems.append("delivered under new Message-IDs: \(unknown)") }
                deliveredAgain += delivered.count - Set(delivered).count
            }

            // And the next command works
            let next = try sandbox.run(["ticket", "create", "--subject", "after \(marker)", "--category", "bug-report", "--message", "m"])
            if next.status != 0 { problems.append("the next command exited \(next.status): \(next.err)") }
            let problemsOfRun = result.reliabilityProblems().filter { !wasKilled || !$0.hasPrefix("died of a signal") }
            problems += problemsOfRun

            if !problems.isEmpty {
                failures += 1
                Issue.record("\(operation) trial \(trial) (seed \(seed), delay \(Int(delay * 1000)) ms, killed \(wasKilled)): \(problems)")
            }
        }
        ReliabilityFigures.report("crash-\(operation.rawValue)", [
            "trials": Self.trialsPerOperation, "killed": killed, "completed": completed,
            "duplicate-deliveries": deliveredAgain, "failures": failures,
            "command-ms": Int(duration * 1000), "seed": Int(seed),
        ])
    }
}
