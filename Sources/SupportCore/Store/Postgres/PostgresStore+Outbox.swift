import Foundation

/// The outbox on PostgreSQL. Claims take rows with `FOR UPDATE SKIP LOCKED`: flushes on several
/// hosts each take different messages without waiting for one another, and a message is leased
/// to one flush at a time (the lease rules are SQLite's, `AppDatabase+Outbox`).
extension PostgresStore {
    func claimOutbox(limit: Int, owner: String, lease: TimeInterval, ownerIsGone: @Sendable (String) -> Bool,
                     ownerIsAlive: @Sendable (String) -> Bool) throws(SupportError) -> [OutboxDelivery] {
        try write { tx in
            let now = tx.now
            // Leases of flushes that died on this host are released at once; a lease that ran
            // out under a flush still alive here stays that flush's (issue 13).
            for row in try tx.rows("SELECT id, leaseOwner FROM outbox WHERE status = 'sending' AND leaseUntil > $1 FOR UPDATE SKIP LOCKED",
                                   .timestamp(now)) where ownerIsGone(try row.text(1)) {
                try tx.execute("UPDATE outbox SET leaseUntil = $1 WHERE id = $2", .timestamp(now), .int(try row.int(0)))
            }
            for row in try tx.rows("SELECT id, leaseOwner FROM outbox WHERE status = 'sending' AND leaseUntil <= $1 FOR UPDATE SKIP LOCKED",
                                   .timestamp(now)) where ownerIsAlive(try row.text(1)) {
                try tx.execute("UPDATE outbox SET leaseUntil = $1 WHERE id = $2", .timestamp(now.addingTimeInterval(lease)), .int(try row.int(0)))
            }
            return try tx.rows("""
                UPDATE outbox SET status = 'sending', leaseOwner = $1, leaseUntil = $2
                WHERE id IN (SELECT id FROM outbox
                             WHERE (status = 'pending' AND nextAttemptAt <= $3) OR (status = 'sending' AND leaseUntil <= $3)
                             ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
                RETURNING id, sender, recipient, subject, message, attempts
                """, .text(owner), .timestamp(now.addingTimeInterval(lease)), .timestamp(now), .int(Int64(limit))).map { row in
                OutboxDelivery(id: try row.int(0), sender: try row.text(1), recipient: try row.text(2), subject: try row.text(3),
                               bytes: try row.bytes(4), attempts: Int(try row.int(5)))
            }.sorted { $0.id < $1.id }
        }
    }

    func renewLeases(owner: String, lease: TimeInterval) throws(SupportError) {
        try write { tx in
            try tx.execute("UPDATE outbox SET leaseUntil = $1 WHERE status = 'sending' AND leaseOwner = $2",
                           .timestamp(tx.now.addingTimeInterval(lease)), .text(owner))
        }
    }

    @discardableResult
    func recordDelivery(_ id: Int64, owner: String, startedAt: Date, result: DeliveryResult,
                        maxAttempts: Int) throws(SupportError) -> OutboxMessage.Status? {
        try write { tx in
            guard let attempts = try tx.value("SELECT attempts FROM outbox WHERE id = $1 AND status = 'sending' AND leaseOwner = $2 FOR UPDATE",
                                              .int(id), .text(owner))?.int
            else { return nil }
            let tries = Int(attempts) + 1
            let status: OutboxMessage.Status
            switch result.outcome {
            case .sent:
                status = .sent
                try tx.execute("""
                    UPDATE outbox SET status = 'sent', attempts = $1, sentAt = $2, leaseOwner = NULL, leaseUntil = NULL, lastError = NULL
                    WHERE id = $3
                    """, .int(Int64(tries)), .timestamp(tx.now), .int(id))
            case .retry, .failed:
                status = DeliveryPolicy.statusAfterFailure(tries: tries, maxAttempts: maxAttempts)
                try tx.execute("""
                    UPDATE outbox SET status = $1, attempts = $2, nextAttemptAt = $3, leaseOwner = NULL, leaseUntil = NULL, lastError = $4
                    WHERE id = $5
                    """, .text(status.rawValue), .int(Int64(tries)),
                    .timestamp(tx.now.addingTimeInterval(DeliveryPolicy.backoff(afterAttempt: tries))), PostgresValue(result.detail), .int(id))
            }
            try tx.execute("""
                INSERT INTO outbox_attempt (outboxID, startedAt, finishedAt, outcome, exitStatus, detail) VALUES ($1, $2, $3, $4, $5, $6)
                """, .int(id), .timestamp(startedAt), .timestamp(tx.now), .text(result.outcome.rawValue),
                result.exitStatus.map { .int(Int64($0)) } ?? .null, PostgresValue(result.detail))
            return status
        }
    }

    func outbox(status: OutboxMessage.Status?, limit: Int) throws(SupportError) -> [OutboxMessage] {
        try read { tx in
            var binds = PostgresBinds()
            var sql = """
                SELECT id, ticketNumber, kind, sender, recipient, subject, messageID, status, attempts, nextAttemptAt,
                       lastError, createdAt, sentAt, bouncedAt IS NOT NULL FROM outbox
                """
            if status == .bounced {
                sql += " WHERE bouncedAt IS NOT NULL"
            } else if let status {
                sql += " WHERE status = \(binds.add(.text(status.rawValue))) AND bouncedAt IS NULL"
            }
            sql += " ORDER BY id DESC LIMIT \(binds.add(.int(Int64(limit))))"
            return try tx.rows(sql, binds: binds.values).map { row in
                OutboxMessage(id: try row.int(0), ticketNumber: try row.text(1), kind: try row.text(2), sender: try row.text(3),
                              recipient: try row.text(4), subject: try row.text(5), messageID: try row.text(6),
                              status: try row.bool(13) ? .bounced : OutboxMessage.Status(rawValue: try row.text(7)) ?? .pending,
                              attempts: Int(try row.int(8)), nextAttemptAt: try row.date(9), lastError: row.optionalText(10),
                              createdAt: try row.date(11), sentAt: row.optionalDate(12))
            }
        }
    }

    static let dueCondition = "(status = 'pending' AND nextAttemptAt <= $1) OR (status = 'sending' AND leaseUntil <= $1)"

    func dueOutboxCount() throws(SupportError) -> Int {
        try read { tx in Int(try tx.value("SELECT count(*) FROM outbox WHERE \(Self.dueCondition)", .timestamp(tx.now))?.int ?? 0) }
    }

    func dueOutbox(limit: Int) throws(SupportError) -> [OutboxDelivery] {
        try read { tx in
            try tx.rows("SELECT id, sender, recipient, subject, message, attempts FROM outbox WHERE \(Self.dueCondition) ORDER BY id LIMIT $2",
                        .timestamp(tx.now), .int(Int64(limit))).map { row in
                OutboxDelivery(id: try row.int(0), sender: try row.text(1), recipient: try row.text(2), subject: try row.text(3),
                               bytes: try row.bytes(4), attempts: Int(try row.int(5)))
            }
        }
    }

    func retryOutbox(id: Int64?) throws(SupportError) -> Int {
        try write { tx in
            if let id {
                guard let status = try tx.value("SELECT status FROM outbox WHERE id = $1 FOR UPDATE", .int(id))?.text else {
                    throw SupportError.notFound("no message \(id) in the outbox")
                }
                guard status == "failed" || status == "pending" else {
                    throw SupportError.invalidInput(field: "id", "message \(id) is \(status); only failed or pending messages can be retried")
                }
                try tx.execute("""
                    UPDATE outbox SET status = 'pending', nextAttemptAt = $1,
                        attempts = CASE status WHEN 'failed' THEN 0 ELSE attempts END
                    WHERE id = $2
                    """, .timestamp(tx.now), .int(id))
                return 1
            }
            return try tx.rows("UPDATE outbox SET status = 'pending', attempts = 0, nextAttemptAt = $1 WHERE status = 'failed' RETURNING id",
                               .timestamp(tx.now)).count
        }
    }
}
