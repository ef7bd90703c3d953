// TEMPORARY stand-in until the real composer lands (MailMessage.swift / MessageComposer.swift).
import Foundation

public struct MailAddress: Sendable, Equatable, Codable {
    public var name: String?
    public var email: String
    public init(name: String? = nil, email: String) { self.name = name; self.email = email }
}

public struct MailMessage: Sendable, Equatable, Codable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var body: String
    public var messageID: String
    public var inReplyTo: String?
    public var references: [String]
    public var date: Date
    public var autoSubmitted: String?
    public var replyTo: MailAddress?
    public init(from: MailAddress, to: [MailAddress], subject: String, body: String, messageID: String,
                inReplyTo: String? = nil, references: [String] = [], date: Date, autoSubmitted: String? = nil,
                replyTo: MailAddress? = nil) {
        self.from = from; self.to = to; self.subject = subject; self.body = body; self.messageID = messageID
        self.inReplyTo = inReplyTo; self.references = references; self.date = date; self.autoSubmitted = autoSubmitted
        self.replyTo = replyTo
    }
}

public enum MessageComposer {
    public static func compose(_ message: MailMessage) -> [UInt8] {
        Array("Message-ID: <\(message.messageID)>\nSubject: stub\n\n\(message.body)\n".utf8)
    }
}
