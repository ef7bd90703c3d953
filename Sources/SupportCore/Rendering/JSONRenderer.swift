import Foundation

/// The `--json` shapes of SPEC, which mirror the seed's API, in the seed's field order. Dates are
/// ISO 8601 in UTC; absent values are `null`, never missing keys.
public enum JSONRenderer {
    public static func ticket(_ ticket: Ticket) -> String {
        JSONValue.object([("ticket", value(ticket))]).serialized(pretty: true)
    }

    public static func page(_ page: TicketPage) -> String {
        pageValue(page).serialized(pretty: true)
    }

    /// `page` as UTF-8 bytes (the server's `GET /api/support/tickets`).
    public static func pageBytes(_ page: TicketPage) -> [UInt8] {
        pageValue(page).serializedBytes(pretty: true)
    }

    static func pageValue(_ page: TicketPage) -> JSONValue {
        .object([
            ("tickets", .array(page.tickets.map(value))),
            ("pagination", pagination(total: page.total, page: page.page, limit: page.limit, pages: page.pages)),
        ])
    }

    /// `support audit`: the events in `ticket history`'s shape, and the seed's pagination object.
    public static func audit(_ page: AuditPage) -> String {
        JSONValue.object([
            ("events", .array(page.events.map(value))),
            ("pagination", pagination(total: page.total, page: page.page, limit: page.limit, pages: page.pages)),
        ]).serialized(pretty: true)
    }

    static func pagination(total: Int, page: Int, limit: Int, pages: Int) -> JSONValue {
        .object([
            ("total", .int(Int64(total))), ("page", .int(Int64(page))),
            ("limit", .int(Int64(limit))), ("pages", .int(Int64(pages))),
        ])
    }

    public static func response(_ response: TicketResponse, on ticket: TicketNumber) -> String {
        JSONValue.object([("response", value(response, ticket: ticket))]).serialized(pretty: true)
    }

    /// `attachment get --output`: `{"attachment": {...}}`, the shape `ticket show` lists.
    public static func attachment(_ attachment: TicketAttachment) -> String {
        JSONValue.object([("attachment", value(attachment))]).serialized(pretty: true)
    }

    public static func success() -> String { JSONValue.object([("success", .bool(true))]).serialized(pretty: true) }

    public static func settings(_ settings: [SettingKey: String]) -> String {
        let members: [(String, JSONValue)] = SettingKey.allCases.compactMap { key in
            guard let raw = settings[key] else { return nil }
            switch key {
            case .supportAutoResponse, .supportAssignmentNotice: return (key.rawValue, .bool(raw == "true"))
            case .ticketRateLimitPerHour, .replyRateLimitPerHour, .mailMaxAttempts: return (key.rawValue, .int(Int64(raw) ?? 0))
            default: return (key.rawValue, .string(raw))
            }
        }
        return JSONValue.object(members).serialized(pretty: true)
    }

    public static func user(_ user: User) -> String {
        JSONValue.object([("user", value(user))]).serialized(pretty: true)
    }

    public static func users(_ users: [User]) -> String {
        JSONValue.object([("users", .array(users.map(value)))]).serialized(pretty: true)
    }

    /// `notify list`: the outbox, newest first.
    public static func outbox(_ messages: [OutboxMessage]) -> String {
        JSONValue.object([("messages", .array(messages.map { m in
            .object([
                ("id", .int(m.id)), ("ticketNumber", .string(m.ticketNumber)), ("kind", .string(m.kind)),
                ("recipient", .string(m.recipient)), ("subject", .string(m.subject)), ("messageId", .string(m.messageID)),
                ("status", .string(m.status.rawValue)), ("attempts", .int(Int64(m.attempts))),
                ("nextAttemptAt", .string(ISO8601.string(m.nextAttemptAt))),
                ("lastError", m.lastError.map(JSONValue.string) ?? .null),
                ("createdAt", .string(ISO8601.string(m.createdAt))),
                ("sentAt", m.sentAt.map { .string(ISO8601.string($0)) } ?? .null),
            ])
        }))]).serialized(pretty: true)
    }

    /// The seed's `APIError`, on one line; `naming` words the fields its message mentions
    /// (`details.field` is always SPEC's field name).
    public static func error(_ error: SupportError, naming: Wording.Naming = .fields) -> String {
        var details: [(String, JSONValue)] = []
        if case .invalidInput(let field?, _) = error { details.append(("field", .string(field))) }
        if case .rateLimited(_, let retryAfter) = error { details.append(("retryAfter", .string(ISO8601.string(retryAfter)))) }
        return JSONValue.object([
            ("error", .string(error.message(naming: naming))), ("code", .string(error.code)),
            ("details", details.isEmpty ? .null : .object(details)),
        ]).serialized(pretty: false)
    }

    /// One ticket on one line, for NDJSON.
    public static func line(_ ticket: Ticket) -> String {
        value(ticket).serialized(pretty: false)
    }

    /// `ticket history`: `events`, the key every event list has (`audit` too); `history`, the
    /// same list under the key 0.2.0 gave it, kept for the scripts that read it (CHANGELOG 0.3.0).
    public static func history(_ events: [AuditEvent]) -> String {
        let list = JSONValue.array(events.map(value))
        return JSONValue.object([("events", list), ("history", list)]).serialized(pretty: true)
    }

    // MARK: Values

    static func value(_ e: AuditEvent) -> JSONValue {
        .object([
            ("id", .int(e.id)),
            ("ticketNumber", e.ticketNumber.map(JSONValue.string) ?? .null),
            ("action", .string(e.action.rawValue)),
            ("actor", value(e.actor)),
            ("field", e.field.map(JSONValue.string) ?? .null),
            ("oldValue", e.oldValue.map(JSONValue.string) ?? .null),
            ("newValue", e.newValue.map(JSONValue.string) ?? .null),
            ("isInternal", .bool(e.isInternal)),
            ("createdAt", date(e.createdAt)),
        ])
    }

    /// A ticket written reply by reply (`ticket show`, `ticket export`): `head`, then each reply
    /// from `reply(_:first:)`, then `tail(replies:)`. The bytes are those of the whole ticket
    /// written at once.
    public struct StreamedTicket: Sendable {
        public let head: String
        let ticketNumber: TicketNumber
        let tailText: String
        let pretty: Bool
        let depth: Int

        public func reply(_ r: TicketResponse, first: Bool) -> String {
            var out: [UInt8] = []
            if !first { out.append(UInt8(ascii: ",")) }
            if pretty { JSONValue.newline(&out, depth) }
            JSONRenderer.value(r, ticket: ticketNumber).write(to: &out, pretty: pretty, depth: depth)
            return String(decoding: out, as: UTF8.self)
        }

        public func tail(replies: Int) -> String {
            guard pretty, replies > 0 else { return tailText }
            var out: [UInt8] = []
            JSONValue.newline(&out, depth - 1)
            return String(decoding: out, as: UTF8.self) + tailText
        }
    }

    /// `{"ticket": {…}}` (pretty, with `extra` members after the ticket), or the ticket alone
    /// on one line (NDJSON), split where its replies go.
    public static func streamedTicket(_ t: Ticket, line: Bool, extra: [(String, JSONValue)] = []) -> StreamedTicket {
        let ticket = value(t, responses: .array([.string(streamMarker)]))
        let text = line ? ticket.serialized(pretty: false)
            : JSONValue.object([("ticket", ticket)] + extra).serialized(pretty: true)
        return streamed(text, ticket: t.ticketNumber, pretty: !line, depth: line ? 1 : 3)
    }

    /// The seed's `GET /tickets/[id]/responses`, `{"responses": […]}` with the replies the reader
    /// may see, split where they go (the server sends them a page at a time).
    public static func streamedResponses(on ticket: TicketNumber) -> StreamedTicket {
        let text = JSONValue.object([("responses", .array([.string(streamMarker)]))]).serialized(pretty: true)
        return streamed(text, ticket: ticket, pretty: true, depth: 2)
    }

    /// Stands where the replies go: no text of a person's may hold a control character (Validation), so only this can match.
    private static let streamMarker = "\u{1}replies\u{1}"

    private static func streamed(_ text: String, ticket: TicketNumber, pretty: Bool, depth: Int) -> StreamedTicket {
        let at = text.range(of: JSONValue.string(streamMarker).serialized(pretty: false))!
        // Before the marker: "[" and, when pretty, a newline and indent; after it, likewise "]".
        let open = text[..<at.lowerBound].lastIndex(of: "[")!
        let close = text[at.upperBound...].firstIndex(of: "]")!
        return StreamedTicket(head: String(text[...open]), ticketNumber: ticket, tailText: String(text[close...]), pretty: pretty, depth: depth)
    }

    public static func value(_ t: Ticket) -> JSONValue {
        value(t, responses: .array(t.responses.map { value($0, ticket: t.ticketNumber) }))
    }

    /// The end of a `ticket export` line, from the `]` that closes its replies: the pieces
    /// between which the content of each of the ticket's files goes, as a JSON string of its
    /// base64 (`"` + base64 + `"`), so that a file is written as it is read, never held whole.
    /// One piece more than the ticket has files.
    public static func exportTail(_ t: Ticket) -> [String] {
        let replies = "\u{1}replies\u{1}", content = "\u{1}content\u{1}"
        let files = JSONValue.array(t.attachments.map { file in
            guard case .object(let members) = value(file) else { return value(file) }
            return .object(members + [("content", .string(content))])
        })
        let text = value(t, responses: .array([.string(replies)]), attachments: files).serialized(pretty: false)
        // Only the files and the dates come after the replies: no text of a person's can hold a marker there.
        let after = text.range(of: JSONValue.string(replies).serialized(pretty: false))!.upperBound
        let close = text[after...].firstIndex(of: "]")!
        return String(text[close...]).components(separatedBy: JSONValue.string(content).serialized(pretty: false))
    }

    static func value(_ t: Ticket, responses: JSONValue, attachments: JSONValue? = nil) -> JSONValue {
        .object([
            ("ticketNumber", .string(t.ticketNumber.description)),
            ("subject", .string(t.subject)),
            ("message", .string(t.message)),
            ("category", .string(t.category.title)),
            ("priority", .string(t.priority.title)),
            ("status", .string(t.status.title)),
            ("submittedBy", value(t.submittedBy)),
            ("assignedTo", t.assignedTo.map(value) ?? .null),
            ("responses", responses),
            ("attachments", attachments ?? .array(t.attachments.map(value))),
            ("createdAt", date(t.createdAt)),
            ("updatedAt", date(t.updatedAt)),
            ("resolvedAt", t.resolvedAt.map(date) ?? .null),
            ("closedAt", t.closedAt.map(date) ?? .null),
        ])
    }

    /// A reply or note; `ticketNumber` says whose it is wherever it is read on its own
    /// (`respond --json`, `GET …/responses`), and is the same inside a ticket.
    static func value(_ r: TicketResponse, ticket: TicketNumber) -> JSONValue {
        .object([
            ("id", .int(r.id)),
            ("ticketNumber", .string(ticket.description)),
            ("message", .string(r.message)),
            ("respondedBy", value(r.respondedBy)),
            ("isInternal", .bool(r.isInternal)),
            ("createdAt", date(r.createdAt)),
        ])
    }

    public static func value(_ a: TicketAttachment) -> JSONValue {
        .object([
            ("id", .int(a.id)),
            ("fileName", .string(a.fileName)),
            ("contentType", .string(a.contentType)),
            ("size", .int(Int64(a.size))),
            ("sha256", .string(a.sha256)),
            ("responseId", a.responseID.map(JSONValue.int) ?? .null),
            ("isInternal", .bool(a.isInternal)),
            ("createdAt", date(a.createdAt)),
        ])
    }

    static func value(_ p: Person) -> JSONValue {
        .object([("email", .string(p.email)), ("name", .string(p.name)), ("role", .string(p.role.rawValue))])
    }

    static func value(_ u: User) -> JSONValue {
        .object([("email", .string(u.email)), ("name", .string(u.name)), ("role", .string(u.role.rawValue)),
                 ("createdAt", date(u.createdAt)), ("login", u.login.map(JSONValue.string) ?? .null)])
    }

    static func date(_ d: Date) -> JSONValue { .string(ISO8601.string(d)) }
}
