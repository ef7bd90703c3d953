import Foundation
import GRDB

extension AppDatabase {
    static func enqueue(_ db: Database, _ drafts: [OutboxDraft]) throws {
        let now = storageText(try db.transactionDate)
        for d in drafts {
            // A requester's replies are coalesced per ticket: while a notice of one to the same
            // staff address waits unsent, a later one does not queue another (1,000 replies make
            // one mail per flush, not 1,000); the waiting notice brings staff to the ticket, where
            // every reply is.
            if d.kind == .requesterReply, try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM outbox WHERE status = 'pending' AND ticketNumber = ? AND kind = ? AND recipient = ?)
                """), arguments: [d.ticketNumber.description, d.kind.rawValue, d.recipient]) == true {
                continue
            }
            // The message is bound in place: SQLite's record is the only other copy of it. (A
            // cached statement keeps the binding until its next use rebinds every argument; SQLite
            // never reads it in between.)
            try withBorrowedData(d.bytes) { message in
                try db.cachedStatement(sql: """
                    INSERT INTO outbox (ticketNumber, kind, sender, recipient, subject, messageID, message, nextAttemptAt, createdAt,
                                        status, lastError)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [d.ticketNumber.description, d.kind.rawValue, d.sender, d.recipient, d.subject,
                                             d.messageID, message, now, now, d.failure == nil ? "pending" : "failed", d.failure])
            }
            try recordMessageID(db, d.messageID, ticket: d.ticketNumber, direction: .outgoing, address: d.recipient)
        }
    }

    /// Claims up to `limit` messages that are due, for `lease` seconds, in one write transaction:
    /// two flushes at once never claim the same message. A message whose lease has run out, or
    /// whose claiming process on this host is gone, is due again.
    func claimOutbox(limit: Int, owner: String, lease: TimeInterval,
                            ownerIsGone: @Sendable (String) -> Bool,
                            ownerIsAlive: @Sendable (String) -> Bool = { _ in false }) throws(SupportError) -> [OutboxDelivery] {
        try write { db in
            let now = try db.transactionDate
            // Leases held by processes that died (a killed flush) are released at once.
            let held = try Row.fetchAll(db, sql: "SELECT id, leaseOwner FROM outbox WHERE status = 'sending' AND leaseUntil > ?",
                                        arguments: [now])
            for row in held where ownerIsGone(row[1]) {
                try db.execute(sql: "UPDATE outbox SET leaseUntil = ? WHERE id = ?", arguments: [now, row[0] as Int64])
            }
            // A lease that ran out under a flush still running on this host stays that flush's:
            // its renewals may be late (a starved machine, a busy file), and taking the message
            // from a live sender is how two flushes sent it twice (issue 13). Only a lease whose
            // owner is gone, or runs on a host this one cannot see, is taken over.
            let expired = try Row.fetchAll(db, sql: "SELECT id, leaseOwner FROM outbox WHERE status = 'sending' AND leaseUntil <= ?",
                                           arguments: [now])
            for row in expired where ownerIsAlive(row[1]) {
                try db.execute(sql: "UPDATE outbox SET leaseUntil = ? WHERE id = ?", arguments: [now.addingTimeInterval(lease), row[0] as Int64])
            }
            let rows = try Row.fetchAll(db, sql: """
                UPDATE outbox SET status = 'sending', leaseOwner = ?, leaseUntil = ?
                WHERE id IN (\(Self.dueIDs) ORDER BY id LIMIT ?)
                RETURNING id, sender, recipient, subject, message, attempts
                """, arguments: [owner, now.addingTimeInterval(lease), now, now, limit])
            return rows.map { row in
                OutboxDelivery(id: row[0], sender: row[1], recipient: row[2], subject: row[3],
                               bytes: [UInt8](row[4] as Data), attempts: row[5])
            }.sorted { $0.id < $1.id }
        }
    }

    /// What a flush may take at the time bound twice (`[now, now]`): a pending message whose time
    /// has come, or one whose lease ran out. One definition for the claim, the count and
    /// `--dry-run`, so what `--dry-run` lists is what `flush` takes; two arms so each reads its index.
    static let dueIDs = """
        SELECT id FROM outbox WHERE status = 'pending' AND nextAttemptAt <= ?
        UNION ALL
        SELECT id FROM outbox WHERE status = 'sending' AND leaseUntil <= ?
        """

    /// Extends the leases `owner` still holds (messages it is sending) to `lease` seconds from now.
    func renewLeases(owner: String, lease: TimeInterval) throws(SupportError) {
        try write { db in
            let now = try db.transactionDate
            try db.execute(sql: "UPDATE outbox SET leaseUntil = ? WHERE status = 'sending' AND leaseOwner = ?",
                           arguments: [now.addingTimeInterval(lease), owner])
        }
    }

    /// Records one attempt, if the lease is still ours. Returns the status the message ended in.
    @discardableResult
    func recordDelivery(_ id: Int64, owner: String, startedAt: Date, result: DeliveryResult,
                               maxAttempts: Int) throws(SupportError) -> OutboxMessage.Status? {
        try write { db in
            let now = try db.transactionDate
            guard let attempts = try Int.fetchOne(db, sql: "SELECT attempts FROM outbox WHERE id = ? AND status = 'sending' AND leaseOwner = ?",
                                                  arguments: [id, owner])
            else { return nil }
            let status: OutboxMessage.Status
            let tries = attempts + 1
            switch result.outcome {
            case .sent:
                status = .sent
                try db.execute(sql: """
                    UPDATE outbox SET status = 'sent', attempts = ?, sentAt = ?, leaseOwner = NULL, leaseUntil = NULL, lastError = NULL
                    WHERE id = ?
                    """, arguments: [tries, now, id])
            case .retry, .failed:
                status = DeliveryPolicy.statusAfterFailure(tries: tries, maxAttempts: maxAttempts)
                try db.execute(sql: """
                    UPDATE outbox SET status = ?, attempts = ?, nextAttemptAt = ?, leaseOwner = NULL, leaseUntil = NULL, lastError = ?
                    WHERE id = ?
                    """, arguments: [status.rawValue, tries, now.addingTimeInterval(DeliveryPolicy.backoff(afterAttempt: tries)),
                                     result.detail, id])
            }
            try db.execute(sql: """
                INSERT INTO outbox_attempt (outboxID, startedAt, finishedAt, outcome, exitStatus, detail) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [id, startedAt, now, result.outcome.rawValue, result.exitStatus.map { Int($0) }, result.detail])
            return status
        }
    }

    func outbox(status: OutboxMessage.Status?, limit: Int = 1000) throws(SupportError) -> [OutboxMessage] {
        try read { db in
            var sql = """
                SELECT id, ticketNumber, kind, sender, recipient, subject, messageID, status, attempts, nextAttemptAt,
                       lastError, createdAt, sentAt, bouncedAt IS NOT NULL FROM outbox
                """
            var arguments = StatementArguments()
            // A bounced message is stored as sent, with the time its bounce came back.
            if status == .bounced {
                sql += " WHERE bouncedAt IS NOT NULL"
            } else if let status {
                sql += " WHERE status = ? AND bouncedAt IS NULL"
                arguments += [status.rawValue]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                OutboxMessage(id: row[0], ticketNumber: row[1], kind: row[2], sender: row[3], recipient: row[4],
                              subject: row[5], messageID: row[6],
                              status: row[13] ? .bounced : OutboxMessage.Status(rawValue: row[7]) ?? .pending,
                              attempts: row[8], nextAttemptAt: row[9], lastError: row[10], createdAt: row[11], sentAt: row[12])
            }
        }
    }

    func dueOutboxCount() throws(SupportError) -> Int {
        try read { db in
            let now = try db.transactionDate
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(Self.dueIDs))", arguments: [now, now]) ?? 0
        }
    }

    /// Messages due now that a flush would send (for `--dry-run`).
    func dueOutbox(limit: Int) throws(SupportError) -> [OutboxDelivery] {
        try read { db in
            let now = try db.transactionDate
            return try Row.fetchAll(db, sql: """
                SELECT id, sender, recipient, subject, message, attempts FROM outbox
                WHERE id IN (\(Self.dueIDs)) ORDER BY id LIMIT ?
                """, arguments: [now, now, limit]).map { row in
                OutboxDelivery(id: row[0], sender: row[1], recipient: row[2], subject: row[3],
                               bytes: [UInt8](row[4] as Data), attempts: row[5])
            }
        }
    }

    /// Puts failed messages back in the queue, due now, with their attempts reset.
    /// Returns how many were requeued.
    func retryOutbox(id: Int64?) throws(SupportError) -> Int {
        try write { db in
            let now = try db.transactionDate
            if let id {
                guard let status = try String.fetchOne(db, sql: "SELECT status FROM outbox WHERE id = ?", arguments: [id]) else {
                    throw SupportError.notFound("no message \(id) in the outbox")
                }
                guard status == "failed" || status == "pending" else {
                    throw SupportError.invalidInput(field: "id", "message \(id) is \(status); only failed or pending messages can be retried")
                }
                // A failed message starts afresh; a pending one is only made due now, keeping its
                // attempts, so `retry` cannot be used to get round mail_max_attempts.
                try db.execute(sql: """
                    UPDATE outbox SET status = 'pending', nextAttemptAt = ?,
                        attempts = CASE status WHEN 'failed' THEN 0 ELSE attempts END
                    WHERE id = ?
                    """, arguments: [now, id])
                return 1
            }
            try db.execute(sql: "UPDATE outbox SET status = 'pending', attempts = 0, nextAttemptAt = ? WHERE status = 'failed'",
                           arguments: [now])
            return db.changesCount
        }
    }
}
