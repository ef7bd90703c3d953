import Foundation

/// A message in the outbox, as `notify list` shows it.
public struct OutboxMessage: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending, sending, sent, failed
        /// Sent, then a delivery-status report about it came back (`mail ingest`).
        case bounced
    }

    public var id: Int64
    public var ticketNumber: String
    public var kind: String
    public var sender: String
    public var recipient: String
    public var subject: String
    public var messageID: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var createdAt: Date
    public var sentAt: Date?
}

/// A claimed message: what the flusher needs to send it, nothing about tickets.
public struct OutboxDelivery: Sendable {
    public var id: Int64
    public var sender: String
    public var recipient: String
    public var subject: String
    public var bytes: [UInt8]
    public var attempts: Int
}

/// What happened when the mail program was run once.
public struct DeliveryResult: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// Accepted by the mail program.
        case sent
        /// Try again later (temporary failure, missing program, time-out, signal).
        case retry
        /// Counts as an attempt; retried with backoff until the attempts run out.
        case failed
    }

    public var outcome: Outcome
    public var exitStatus: Int32?
    public var detail: String

    public init(outcome: Outcome, exitStatus: Int32?, detail: String) {
        self.outcome = outcome
        self.exitStatus = exitStatus
        self.detail = detail
    }
}
