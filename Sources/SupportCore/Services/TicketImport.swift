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
            // Row ids are 1 and up: a zero or negative id is a broken file, not a request for a new id.
            if let id = reply.id, id < 1 {
                throw .invalidInput(field: "responses[\(index)].id", "responses[\(index)].id: \(id) is not a reply id (1 to \(Int64.max))")
            }
            draft.replies.append(ImportDraft.Reply(
                id: reply.id,
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
        // Read by hand and strictly: Foundation's format styles normalised impossible dates
        // (February 30, hour 25, second 60) and rounded fractions into the next second.
        guard let milliseconds = StrictTimestamp.milliseconds(text, form: .importFile) else {
            throw .invalidInput(field: field, "\(field): '\(Validation.printable(text))' is not a valid ISO 8601 time (2026-11-01T09:30:00Z)")
        }
        return ISO8601.date(milliseconds: milliseconds)
    }
}
