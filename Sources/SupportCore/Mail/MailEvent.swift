import Foundation

/// A change that may cause mail.
public enum MailEvent: Sendable {
    case ticketCreated
    case replied(TicketResponse)
    case statusChanged(from: TicketStatus)
    /// The ticket's assignee is now someone else than `from` (nil: it was unassigned).
    case assigned(from: String?)
}

/// Why a message was written; stored with it.
public enum MailKind: String, Sendable, CaseIterable {
    case newTicket = "new-ticket"
    case autoResponse = "auto-response"
    case staffReply = "staff-reply"
    case requesterReply = "requester-reply"
    case statusChange = "status-change"
    case assignment = "assignment"
    /// To the sender of an incoming message over `mail_max_bytes` (about no ticket).
    case tooLarge = "too-large"
}

/// A message ready for the outbox: composed once, sent as these exact bytes however often it is retried.
public struct OutboxDraft: Sendable, Equatable {
    public var ticketNumber: TicketNumber
    public var kind: MailKind
    public var sender: String
    public var recipient: String
    public var subject: String
    public var messageID: String
    public var bytes: [UInt8]
    /// Set when the message cannot be sent (an auto-response template that cannot be used): it
    /// is queued as failed with this reason, for `notify` and `mail` to show, and never sent.
    public var failure: String? = nil
}
