import Foundation

/// A file kept with a ticket: one that came with its first message, with a reply (by mail or
/// `--attach`), or with an internal note. The content is stored once per SHA-256, however many
/// tickets carry it; this is what a ticket lists, not the bytes.
public struct TicketAttachment: Sendable, Equatable {
    public var id: Int64
    /// Safe to save under anywhere (`FileNameSanitizer`): no path parts, no control characters.
    public var fileName: String
    /// `type/subtype` as the sender declared it, lower case.
    public var contentType: String
    public var size: Int
    /// Lower-case hex of the content's SHA-256.
    public var sha256: String
    /// The reply it came with; nil for the ticket's own first message.
    public var responseID: Int64?
    /// It came with an internal note: never shown to the requester.
    public var isInternal: Bool
    public var createdAt: Date

    public init(id: Int64, fileName: String, contentType: String, size: Int, sha256: String, responseID: Int64?,
                isInternal: Bool, createdAt: Date) {
        self.id = id
        self.fileName = fileName
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.responseID = responseID
        self.isInternal = isInternal
        self.createdAt = createdAt
    }
}

extension [TicketAttachment] {
    /// The files with their `responseID` moved from reply row ids to the numbers a requester is
    /// shown for those replies (`position`: row id → 1, 2, 3 …), so a file follows its reply.
    func renumberingReplies(_ position: [Int64: Int64]) -> [TicketAttachment] {
        map { file in
            var file = file
            file.responseID = file.responseID.flatMap { position[$0] }
            return file
        }
    }
}

/// A file about to be attached (`--attach FILE`, or a part of an incoming message): its bytes are
/// in memory, bounded by the attachment settings or by `mail_max_bytes`.
public struct AttachmentUpload: Sendable, Equatable, Codable {
    public var fileName: String
    public var contentType: String
    public var data: [UInt8]

    public init(fileName: String, contentType: String, data: [UInt8]) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
    }
}
