import Foundation

/// `ticket export` on PostgreSQL: the tickets in id order, a chunk at a time (keyset on id), each
/// chunk's replies and files read with it, all in one snapshot (REPEATABLE READ), so memory
/// follows the chunk, not the desk. Files' content is read in pieces (`readContent`).
extension PostgresStore {
    static let exportChunk = 200

    func exportTickets(matching filter: TicketFilter, includeInternal: Bool, ticket: (Ticket) -> Void,
                       reply: (TicketResponse) -> Void, end: (ExportedFiles) throws -> Void) throws(SupportError) {
        try read { tx in
            var after: Int64 = 0
            while true {
                var binds = PostgresBinds()
                guard var (conditions, _) = Self.conditions(filter, &binds) else { return }
                conditions.append("t.id > \(binds.add(.int(after)))")
                let tickets = try tx.rows(Self.ticketSelect + " WHERE " + conditions.joined(separator: " AND ")
                                          + " ORDER BY t.id LIMIT \(Self.exportChunk)", binds: binds.values).map { try Self.ticket(from: $0) }
                guard let last = tickets.last else { return }
                after = last.id
                let ids = tickets.map(\.id)
                var replies: [Int64: [TicketResponse]] = [:]
                var listBinds = PostgresBinds()
                let list = listBinds.list(ids.map(PostgresValue.int))
                // A chunk's replies at once: a chunk of long tickets is bounded by what the
                // server's memory would take for them; the SQLite export streams reply by reply.
                for row in try tx.rows(Self.responseSelect + " WHERE r.ticketId IN (\(list))" + (includeInternal ? "" : " AND NOT r.isInternal")
                                       + " ORDER BY r.ticketId, r.createdAt, r.id", binds: listBinds.values) {
                    let (ticketID, response) = try Self.response(from: row)
                    replies[ticketID, default: []].append(response)
                }
                var files: [Int64: [(TicketAttachment, Int64)]] = [:]
                for row in try tx.rows("""
                    SELECT a.ticketId, a.id, a.fileName, a.contentType, c.size, c.sha256, a.responseId, coalesce(r.isInternal, false),
                           a.createdAt, a.contentId
                    FROM attachment a JOIN attachment_content c ON c.id = a.contentId LEFT JOIN response r ON r.id = a.responseId
                    WHERE a.ticketId IN (\(list))\(includeInternal ? "" : " AND NOT coalesce(r.isInternal, false)")
                    ORDER BY a.ticketId, a.id
                    """, binds: listBinds.values) {
                    let (ticketID, attachment) = try Self.attachment(from: row)
                    files[ticketID, default: []].append((attachment, try row.int(9)))
                }
                for current in tickets {
                    var exported = ExportedFiles(reader: { row, body in try Self.readContent(tx, rowID: row, body) })
                    for (attachment, content) in files[current.id] ?? [] {
                        exported.attachments.append(attachment)
                        exported.contentRows.append(content)
                    }
                    ticket(current)
                    var shownAs: [Int64: Int64] = [:]
                    let withFiles = Set(exported.attachments.compactMap(\.responseID))
                    for (index, response) in (replies[current.id] ?? []).enumerated() {
                        var shown = response
                        if !includeInternal {
                            shown.id = Int64(index + 1)
                            if withFiles.contains(response.id) { shownAs[response.id] = shown.id }
                        }
                        reply(shown)
                    }
                    if !includeInternal && !withFiles.isEmpty {
                        exported.attachments = exported.attachments.renumberingReplies(shownAs)
                    }
                    try end(exported)
                }
                if tickets.count < Self.exportChunk { return }
            }
        }
    }

    /// An attachment's content in pieces of a megabyte, inside the caller's transaction.
    static func readContent(_ tx: PostgresTransaction, rowID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let size = try tx.value("SELECT size FROM attachment_content WHERE id = $1", .int(rowID))?.int ?? 0
        var offset: Int64 = 0
        let piece: Int64 = 1 << 20
        while offset < size {
            let bytes = try tx.value("SELECT substring(data FROM $1::int FOR $2::int) FROM attachment_content WHERE id = $3",
                                     .int(offset + 1), .int(piece), .int(rowID))?.bytes ?? []
            guard !bytes.isEmpty else { break }
            try bytes.withUnsafeBytes { try body($0) }
            offset += Int64(bytes.count)
        }
    }
}
