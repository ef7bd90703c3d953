import Foundation

/// One NDJSON line of `ticket import`: the `--json` shape of a ticket, as `ticket export` writes it.
/// Read by `ImportJSONReader`; `Decodable` so that tests can check the reader against `JSONDecoder`.
struct ImportedTicket: Decodable, Equatable {
    struct PersonJSON: Decodable, Equatable {
        var email: String
        var name: String?
        var role: String?
    }

    struct ResponseJSON: Decodable, Equatable {
        var id: Int64?
        var message: String
        var respondedBy: PersonJSON
        var isInternal: Bool?
        var createdAt: String?
    }

    var ticketNumber: String?
    var subject: String
    var message: String
    var category: String
    var priority: String?
    var status: String?
    var submittedBy: PersonJSON
    var assignedTo: PersonJSON?
    /// A file as `ticket export` writes it: the listing's fields plus `content`, the bytes in
    /// base64. `responseId` names a reply of the same line by its `id`; `id`, `size` and
    /// `isInternal` of the listing are not needed (the size and the note follow from the content
    /// and the reply).
    struct AttachmentJSON: Decodable, Equatable {
        var fileName: String
        var contentType: String
        var sha256: String
        var responseId: Int64?
        var createdAt: String?
        var content: String
    }

    var responses: [ResponseJSON]?
    var attachments: [AttachmentJSON]?
    var createdAt: String?
    var updatedAt: String?
    var resolvedAt: String?
    var closedAt: String?
}

/// A person named in an import; unknown people are created with the role the file gives
/// (a requester when it gives none).
struct ImportPerson: Sendable, Hashable {
    var email: String
    var name: String
    var role: Role
}

/// A validated imported ticket, ready for the store.
struct ImportDraft: Sendable {
    struct Reply: Sendable {
        var id: Int64?
        var message: String
        var author: ImportPerson
        var isInternal: Bool
        var createdAt: ImportTime
    }

    /// A file of the ticket (`reply` nil) or of the reply at that index of `replies`, its content
    /// decoded and checked against its SHA-256.
    struct Attachment: Sendable {
        var fileName: String
        var contentType: String
        var data: [UInt8]
        var sha256: String
        var reply: Int?
        var createdAt: ImportTime
    }

    var line: Int
    var number: TicketNumber?
    var subject: String
    var message: String
    var category: TicketCategory
    var priority: TicketPriority
    var status: TicketStatus
    var requester: ImportPerson
    var assignee: ImportPerson?
    var replies: [Reply]
    var attachments: [Attachment] = []
    var createdAt: ImportTime
    var updatedAt: ImportTime
    var resolvedAt: ImportTime?
    var closedAt: ImportTime?
}

/// A time of an import, with the text its store writes for it (`DeskStore.importTimeText`; the
/// help desk does not know the format): made on the thread that parses, so that the writer,
/// which the whole import waits for, only binds it.
struct ImportTime: Sendable {
    var date: Date
    var storeText: String

    init(_ date: Date, storeText: (Date) -> String) {
        self.date = date
        self.storeText = storeText(date)
    }
}

/// What `ticket import` did.
public struct ImportSummary: Sendable, Equatable {
    public var imported = 0
    /// (line number, message), in line order.
    public var errors: [ImportError] = []
}

public struct ImportError: Sendable, Equatable {
    public var line: Int
    public var message: String
}

enum ImportParser {
    /// `timeText`: the store's text for a time (`DeskStore.importTimeText`).
    static func draft(line: Int, text: String, now: Date, limits: ImportAttachmentLimits = .init(),
                      timeText: (Date) -> String) throws(SupportError) -> ImportDraft {
        let record = try ImportJSONReader.ticket(text)
        func time(_ date: Date) -> ImportTime { ImportTime(date, storeText: timeText) }
        let createdAt = time(try date(record.createdAt, field: "createdAt") ?? now)
        var draft = ImportDraft(
            line: line,
            number: try record.ticketNumber.map { (n: String) throws(SupportError) in try TicketNumber.parse(n) },
            subject: try Validation.oneLine(record.subject, field: "subject", maxCharacters: Validation.subjectMaxCharacters),
            message: try Validation.text(record.message),
            category: try TicketCategory.parse(record.category),
            priority: try record.priority.map { (p: String) throws(SupportError) in try TicketPriority.parse(p) } ?? .medium,
            status: try record.status.map { (s: String) throws(SupportError) in try TicketStatus.parse(s) } ?? .open,
            requester: try person(record.submittedBy, field: "submittedBy"),
            assignee: try record.assignedTo.map { (p: ImportedTicket.PersonJSON) throws(SupportError) in try person(p, field: "assignedTo") },
            replies: [],
            createdAt: createdAt,
            updatedAt: try date(record.updatedAt, field: "updatedAt").map(time) ?? createdAt,
            resolvedAt: try date(record.resolvedAt, field: "resolvedAt").map(time),
            closedAt: try date(record.closedAt, field: "closedAt").map(time))
        for (index, reply) in (record.responses ?? []).enumerated() {
            // Row ids are 1 and up: a zero or negative id is a broken file, not a request for a new id.
            if let id = reply.id, id < 1 {
                throw .invalidInput(field: "responses[\(index)].id", "responses[\(index)].id: \(id) is not a reply id (1 to \(Int64.max))")
            }
            draft.replies.append(ImportDraft.Reply(
                id: reply.id,
                message: try Validation.text(reply.message, field: "responses[\(index)].message"),
                author: try person(reply.respondedBy, field: "responses[\(index)].respondedBy"),
                isInternal: reply.isInternal ?? false,
                createdAt: try date(reply.createdAt, field: "responses[\(index)].createdAt").map(time) ?? createdAt))
        }
        draft.attachments = try attachments(record, replies: draft.replies, createdAt: createdAt, limits: limits, time: time)
        return draft
    }

    /// The files of a line, each checked as `--attach` checks a file, plus what only a file can
    /// get wrong: base64 that is not, content whose SHA-256 is not the one given, a reply that
    /// is not in the line.
    static func attachments(_ record: ImportedTicket, replies: [ImportDraft.Reply], createdAt: ImportTime,
                            limits: ImportAttachmentLimits, time: (Date) -> ImportTime) throws(SupportError) -> [ImportDraft.Attachment] {
        guard let files = record.attachments, !files.isEmpty else { return [] }
        var replyIndex: [Int64: Int] = [:]
        for (index, reply) in (record.responses ?? []).enumerated() {
            if let id = reply.id, replyIndex[id] == nil { replyIndex[id] = index }
        }
        var result: [ImportDraft.Attachment] = []
        // Bytes per message: the ticket's first message (key -1) and each reply.
        var totals: [Int: Int] = [:]
        for (index, file) in files.enumerated() {
            let field = "attachments[\(index)]"
            let name = FileNameSanitizer.sanitise(file.fileName, mediaType: file.contentType)
            // Checked before decoding: a line cannot make the parser hold more than the limit.
            guard file.content.utf8.count / 4 * 3 <= limits.perFile + 2 else {
                throw .invalidInput(field: field, "\(field): \(name) is larger than the \(limits.perFile) bytes a file may have (\(limits.explanation))")
            }
            guard let data = Base64.decode(file.content) else {
                throw .invalidInput(field: field + ".content", "\(field).content is not base64")
            }
            guard data.count <= limits.perFile else {
                throw .invalidInput(field: field, "\(field): \(name) is \(data.count) bytes; a file may have \(limits.perFile) (\(limits.explanation))")
            }
            let digest = SHA256.hex(SHA256.hash(data))
            guard digest == file.sha256.lowercased() else {
                throw .invalidInput(field: field + ".sha256",
                                    "\(field): the content of \(name) does not match its sha256 (it hashes to \(digest))")
            }
            var reply: Int?
            if let id = file.responseId {
                guard let index = replyIndex[id] else {
                    throw .invalidInput(field: field + ".responseId", "\(field).responseId: no reply \(id) in this line")
                }
                reply = index
            }
            totals[reply ?? -1, default: 0] += data.count
            guard totals[reply ?? -1]! <= limits.perMessage else {
                throw .invalidInput(field: field, "\(field): the files of one message come to more than \(limits.perMessage) bytes (\(limits.explanation))")
            }
            let at = try date(file.createdAt, field: field + ".createdAt").map(time)
                ?? reply.map { replies[$0].createdAt } ?? createdAt
            result.append(ImportDraft.Attachment(fileName: name, contentType: MessageComposer.safeMediaType(file.contentType),
                                                 data: data, sha256: digest, reply: reply, createdAt: at))
        }
        return result
    }

    static func person(_ p: ImportedTicket.PersonJSON, field: String) throws(SupportError) -> ImportPerson {
        let email = try Validation.email(p.email, field: "\(field).email")
        let name = try p.name.map { (n: String) throws(SupportError) in
            try Validation.oneLine(n, field: "\(field).name", maxCharacters: Validation.nameMaxCharacters)
        } ?? AppDatabase.defaultName(for: email)
        let role = try p.role.map { (r: String) throws(SupportError) in try Role.parse(r) } ?? .user
        return ImportPerson(email: email, name: name, role: role)
    }

    static func date(_ text: String?, field: String) throws(SupportError) -> Date? {
        guard let text else { return nil }
        // Read by hand and strictly: Foundation's format styles normalised impossible dates
        // (February 30, hour 25, second 60) and rounded fractions into the next second.
        guard let milliseconds = StrictTimestamp.milliseconds(text, form: .importFile) else {
            throw .invalidInput(field: field, "\(field): '\(Validation.printable(text))' is not a valid ISO 8601 time (2026-11-01T09:30:00Z)")
        }
        return ISO8601.date(milliseconds: milliseconds)
    }
}

/// What an imported file may weigh: whatever the desk could have stored itself, by `--attach` or
/// by mail, so that an export of this desk always imports.
struct ImportAttachmentLimits: Sendable {
    var perFile = Int(SettingKey.mailMaxBytes.defaultValue)!
    var perMessage = Int(SettingKey.mailMaxBytes.defaultValue)!
    let explanation = "the larger of attachment_max_bytes and mail_max_bytes; for all files of one message, of attachment_max_total_bytes and mail_max_bytes"

    init() {}

    init(_ settings: [SettingKey: String]) {
        func value(_ key: SettingKey) -> Int { Int(settings[key] ?? "") ?? Int(key.defaultValue)! }
        perFile = max(value(.attachmentMaxBytes), value(.mailMaxBytes))
        perMessage = max(value(.attachmentMaxTotalBytes), value(.mailMaxBytes))
    }
}
