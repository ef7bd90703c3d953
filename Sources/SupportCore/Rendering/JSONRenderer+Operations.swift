import Foundation

/// The JSON of the commands that are not about one ticket (mail, outbox, import, users). Made
/// here, beside every other shape, so the command line and the HTTP API cannot drift apart.
extension JSONRenderer {
    /// `notify flush`.
    /// `db copy`: the rows copied, table by table, in the order they were copied.
    public static func deskCopied(_ counts: [(table: String, rows: Int)]) -> String {
        JSONValue.object([("success", .bool(true)),
                          ("copied", .object(counts.map { ($0.table, .int(Int64($0.rows))) }))]).serialized(pretty: true)
    }

    public static func flushSummary(_ s: OutboxFlusher.Summary) -> String {
        JSONValue.object([("sent", .int(Int64(s.sent))), ("retried", .int(Int64(s.retried))), ("failed", .int(Int64(s.failed)))])
            .serialized(pretty: true)
    }

    /// `notify flush --dry-run`: what a flush would send now.
    public static func dueMessages(_ due: [OutboxDelivery]) -> String {
        JSONValue.object([("messages", .array(due.map { d in
            .object([("id", .int(d.id)), ("sender", .string(d.sender)), ("recipient", .string(d.recipient)),
                     ("subject", .string(d.subject)), ("attempts", .int(Int64(d.attempts)))])
        }))]).serialized(pretty: true)
    }

    /// How many messages a command put back in the queue, under the name it gives the act.
    public static func count(_ name: String, _ count: Int) -> String {
        JSONValue.object([(name, .int(Int64(count)))]).serialized(pretty: true)
    }

    /// One ingested message's record (`mail list`, `mail ingest`).
    public static func inboundRecord(_ r: InboundRecord) -> JSONValue {
        .object([
            ("id", .int(r.id)), ("receivedAt", .string(ISO8601.string(r.receivedAt))),
            ("messageId", r.messageID.map(JSONValue.string) ?? .null), ("sha256", .string(r.digest)),
            ("sender", r.sender.map(JSONValue.string) ?? .null), ("subject", r.subject.map(JSONValue.string) ?? .null),
            ("outcome", .string(r.outcome.rawValue)), ("reason", r.reason.map(JSONValue.string) ?? .null),
            ("ticketNumber", r.ticketNumber.map(JSONValue.string) ?? .null),
            ("responseId", r.responseID.map(JSONValue.int) ?? .null),
            ("size", .int(Int64(r.size))), ("truncated", .bool(r.truncated)),
        ])
    }

    public static func inboundRecords(_ records: [InboundRecord]) -> String {
        JSONValue.object([("messages", .array(records.map(inboundRecord)))]).serialized(pretty: true)
    }

    /// `mail show --json`: the record and the message as received, in base64.
    public static func inboundMessage(_ record: InboundRecord, raw: [UInt8]) -> String {
        guard case .object(var fields) = inboundRecord(record) else { return "" }
        fields.append(("rawBase64", .string(Data(raw).base64EncodedString())))
        return JSONValue.object(fields).serialized(pretty: true)
    }

    /// `ticket import`: how many tickets came in, and each refused line with why.
    public static func importSummary(_ summary: ImportSummary) -> String {
        JSONValue.object([("imported", .int(Int64(summary.imported))), ("errors", importRefusals(summary))])
            .serialized(pretty: true)
    }

    /// The refused lines of an import as one `APIError` (its `details.lines`), on one line.
    public static func importFailure(_ summary: ImportSummary) -> String {
        let count = summary.errors.count
        return JSONValue.object([
            ("error", .string("\(count) line\(count == 1 ? "" : "s") refused")),
            ("code", .string(SupportError.invalidInput(field: nil, "").code)),
            ("details", .object([("lines", importRefusals(summary))])),
        ]).serialized(pretty: false)
    }

    static func importRefusals(_ summary: ImportSummary) -> JSONValue {
        .array(summary.errors.map { .object([("line", .int(Int64($0.line))), ("error", .string($0.message))]) })
    }

    /// `user remove`: who was removed, and the tickets that were theirs to work on.
    public static func userRemoved(_ user: User, unassigned: [TicketNumber]) -> String {
        JSONValue.object([
            ("removed", .string(user.email)),
            ("unassigned", .array(unassigned.map { .string($0.description) })),
        ]).serialized(pretty: true)
    }
}
