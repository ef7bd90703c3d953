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
    var responses: [ResponseJSON]?
    var attachments: [String]?
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
    var createdAt: ImportTime
    var updatedAt: ImportTime
    var resolvedAt: ImportTime?
    var closedAt: ImportTime?
}

/// A time of an import, with the text the store keeps for it (`ImportStatement.storedText`):
/// made on the thread that parses, so that the writer, which the whole import waits for, only
/// binds it.
struct ImportTime: Sendable {
    var date: Date
    var stored: String

    init(_ date: Date) {
        self.date = date
        stored = ImportStatement.storedText(date)
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
    static func draft(line: Int, text: String, now: Date) throws(SupportError) -> ImportDraft {
        let record = try ImportJSONReader.ticket(text)
        let createdAt = ImportTime(try date(record.createdAt, field: "createdAt") ?? now)
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
            updatedAt: try date(record.updatedAt, field: "updatedAt").map(ImportTime.init) ?? createdAt,
            resolvedAt: try date(record.resolvedAt, field: "resolvedAt").map(ImportTime.init),
            closedAt: try date(record.closedAt, field: "closedAt").map(ImportTime.init))
        for (index, reply) in (record.responses ?? []).enumerated() {
            draft.replies.append(ImportDraft.Reply(
                id: reply.id.flatMap { $0 > 0 ? $0 : nil },
                message: try Validation.text(reply.message, field: "responses[\(index)].message"),
                author: try person(reply.respondedBy, field: "responses[\(index)].respondedBy"),
                isInternal: reply.isInternal ?? false,
                createdAt: try date(reply.createdAt, field: "responses[\(index)].createdAt").map(ImportTime.init) ?? createdAt))
        }
        if let attachments = record.attachments, !attachments.isEmpty {
            throw .invalidInput(field: "attachments", "attachments are not supported yet; the list must be empty")
        }
        return draft
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
        // The form every export prints, read by hand; anything else goes to Foundation.
        if let milliseconds = ISO8601.milliseconds(exactUTC: text) { return ISO8601.date(milliseconds: milliseconds) }
        // Snapped, or GRDB's storage text would cut "…:06.907Z" to .906 (see ISO8601).
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return ISO8601.snappedToMillisecond(d) }
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return ISO8601.snappedToMillisecond(d) }
        throw .invalidInput(field: field, "\(field): '\(Validation.printable(text))' is not an ISO 8601 date")
    }
}
