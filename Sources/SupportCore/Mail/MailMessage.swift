import Foundation

/// A mailbox as it appears in a header: an optional display name and an address.
public struct MailAddress: Sendable, Equatable, Codable {
    /// Any Unicode, possibly hostile: the composer removes line breaks and control characters.
    public var name: String?
    /// An addr-spec `local@domain` (ASCII), normally already checked by `Validation.email`.
    public var email: String

    public init(name: String? = nil, email: String) {
        self.name = name
        self.email = email
    }
}

/// One plain-text mail, before it becomes RFC 5322 bytes (`MessageComposer.compose`).
/// Every field holds text as the user wrote it; all encoding and escaping happen in the composer.
public struct MailMessage: Sendable, Equatable, Codable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    /// Plain text; CRLF, CR and LF line endings are all accepted.
    public var body: String
    /// Without angle brackets, e.g. `ST-2026-001.17.1764172800@support.example.test`. It must stay
    /// the same across retries so that a receiver can recognise a duplicate.
    public var messageID: String
    /// A message id without angle brackets.
    public var inReplyTo: String?
    /// Message ids without angle brackets, oldest first.
    public var references: [String]
    public var date: Date
    /// The RFC 3834 `Auto-Submitted` value (`auto-generated`, `auto-replied`); nil omits the header.
    public var autoSubmitted: String?
    public var replyTo: MailAddress?
    /// The desk's own address in an `X-Loop` header, so that the desk (and others) recognise its
    /// mail when it comes back; nil omits the header.
    public var loop: String?
    /// Files sent along: the message becomes multipart/mixed, each file a base64 part.
    public var attachments: [AttachmentUpload]

    public init(
        from: MailAddress, to: [MailAddress], subject: String, body: String, messageID: String,
        inReplyTo: String? = nil, references: [String] = [], date: Date, autoSubmitted: String? = nil,
        replyTo: MailAddress? = nil, loop: String? = nil, attachments: [AttachmentUpload] = []
    ) {
        self.attachments = attachments
        self.loop = loop
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.date = date
        self.autoSubmitted = autoSubmitted
        self.replyTo = replyTo
    }
}
