import Foundation

/// What became of one message handed to `mail ingest`, as `mail list` shows it.
public struct InboundRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// It opened a ticket.
        case created
        /// It became a reply on a ticket.
        case replied
        /// Automatic mail, a loop or noise: recorded, no ticket, no mail.
        case ignored
        /// A delivery-status report about a message of the desk.
        case bounce
        /// Could not be read (or was too large): kept whole for `mail retry`.
        case quarantined
        /// The same message again (same Message-ID, or same bytes): nothing else done.
        case duplicate
    }

    public var id: Int64
    public var receivedAt: Date
    /// Without angle brackets; nil when the message had none (or could not be read).
    public var messageID: String?
    /// SHA-256 of the bytes as received, lowercase hex.
    public var digest: String
    public var sender: String?
    public var subject: String?
    public var outcome: Outcome
    /// Why, in a few words (shown by `mail list`).
    public var reason: String?
    public var ticketNumber: String?
    public var responseID: Int64?
    /// The whole size as received; only `mail_max_bytes` of it are stored when `truncated`.
    public var size: Int
    public var truncated: Bool

    public init(id: Int64, receivedAt: Date, messageID: String?, digest: String, sender: String?, subject: String?,
                outcome: Outcome, reason: String?, ticketNumber: String?, responseID: Int64?, size: Int, truncated: Bool) {
        self.id = id
        self.receivedAt = receivedAt
        self.messageID = messageID
        self.digest = digest
        self.sender = sender
        self.subject = subject
        self.outcome = outcome
        self.reason = reason
        self.ticketNumber = ticketNumber
        self.responseID = responseID
        self.size = size
        self.truncated = truncated
    }
}
