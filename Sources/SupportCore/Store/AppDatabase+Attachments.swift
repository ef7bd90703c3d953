import Foundation
import GRDB
import GRDBSQLite

/// Where one attachment's bytes are, and whose ticket it is: what `attachment get` needs to decide
/// and then stream.
struct StoredAttachment: Sendable {
    var attachment: TicketAttachment
    var ticketNumber: TicketNumber
    var requesterEmail: String
    var contentRowID: Int64
}

extension AppDatabase {
    /// The pieces blobs are written and read in: a 50 MB file never sits in a second buffer.
    static let blobChunkBytes = 1 << 20

    /// Keeps `files` on a ticket (and a reply), inside the caller's transaction. Content already
    /// stored under the same SHA-256 is not written again.
    static func insertAttachments(_ db: Database, _ files: [AttachmentUpload], ticketID: Int64, responseID: Int64?) throws {
        let now = try db.transactionDate
        for file in files {
            let contentID = try storeContent(db, file.data, sha256: SHA256.hex(SHA256.hash(file.data)))
            try db.execute(sql: """
                INSERT INTO attachment (ticketId, responseId, contentId, fileName, contentType, createdAt) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [ticketID, responseID, contentID, file.fileName, file.contentType, now])
        }
    }

    /// The row of content with this SHA-256 (`sha256`: of `data`, lower-case hex), written now
    /// unless it is stored already.
    static func storeContent(_ db: Database, _ data: [UInt8], sha256 digest: String) throws -> Int64 {
        if let known = try Int64.fetchOne(db, sql: "SELECT id FROM attachment_content WHERE sha256 = ?", arguments: [digest]) {
            return known
        }
        // zeroblob reserves the space; the bytes go in by pieces from the caller's buffer,
        // instead of through a Data copy and SQLite's own transient copy.
        try db.execute(sql: "INSERT INTO attachment_content (sha256, size, data) VALUES (?, ?, zeroblob(?))",
                       arguments: [digest, data.count, data.count])
        let rowID = db.lastInsertedRowID
        try data.withUnsafeBufferPointer { buffer in
            try writeBlob(db, table: "attachment_content", column: "data", rowID: rowID, bytes: buffer)
        }
        return rowID
    }

    static let attachmentColumns = """
        SELECT a.ticketId, a.id, a.fileName, a.contentType, c.size, c.sha256, a.responseId, coalesce(r.isInternal, 0), a.createdAt
        FROM attachment a JOIN attachment_content c ON c.id = a.contentId LEFT JOIN response r ON r.id = a.responseId
        """

    static func attachment(from row: Row) throws -> (ticketID: Int64, attachment: TicketAttachment) {
        (row[0], TicketAttachment(id: row[1], fileName: row[2], contentType: row[3], size: row[4], sha256: row[5],
                                  responseID: row[6], isInternal: row[7], createdAt: try storedDate(row, 8)))
    }

    /// The attachments of these tickets, oldest first; without internal notes' unless asked.
    static func fetchAttachments(_ db: Database, ticketIDs: [Int64], includeInternal: Bool = true) throws -> [Int64: [TicketAttachment]] {
        guard !ticketIDs.isEmpty else { return [:] }
        let sql = attachmentColumns + """

            WHERE a.ticketId IN (\(databaseQuestionMarks(count: ticketIDs.count)))\(includeInternal ? "" : " AND coalesce(r.isInternal, 0) = 0")
            ORDER BY a.ticketId, a.id
            """
        var result: [Int64: [TicketAttachment]] = [:]
        // Kept compiled: a list asks this for each page, a ticket for one id (so at most
        // `TicketQuery.maximumLimit` texts, twice, per connection).
        for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(ticketIDs)) {
            let (ticketID, attachment) = try attachment(from: row)
            result[ticketID, default: []].append(attachment)
        }
        return result
    }

    /// One attachment with its ticket's number and requester, or nil.
    func storedAttachment(id: Int64) throws(SupportError) -> StoredAttachment? {
        try read { db in
            // The columns of `attachmentColumns`, then the ticket's number, its requester and the content row.
            guard let row = try Row.fetchOne(db, sql: """
                SELECT a.ticketId, a.id, a.fileName, a.contentType, c.size, c.sha256, a.responseId, coalesce(r.isInternal, 0),
                       a.createdAt, t.ticketNumber, s.email, a.contentId
                FROM attachment a JOIN attachment_content c ON c.id = a.contentId LEFT JOIN response r ON r.id = a.responseId
                JOIN ticket t ON t.id = a.ticketId JOIN user s ON s.id = t.submittedBy
                WHERE a.id = ?
                """, arguments: [id]) else { return nil }
            return StoredAttachment(attachment: try Self.attachment(from: row).attachment,
                                    ticketNumber: try TicketNumber.parse(row[9] as String),
                                    requesterEmail: row[10], contentRowID: row[11])
        }
    }

    /// Hands the content to `body` in pieces of at most `blobChunkBytes`, in order.
    func readAttachmentContent(rowID: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws(SupportError) {
        try read { db in
            try Self.readBlob(db, table: "attachment_content", column: "data", rowID: rowID, body)
        }
    }

    // MARK: Incremental blob I/O

    static func writeBlob(_ db: Database, table: String, column: String, rowID: Int64, bytes: UnsafeBufferPointer<UInt8>) throws {
        guard !bytes.isEmpty, let base = bytes.baseAddress else { return }
        var blob: OpaquePointer?
        var code = sqlite3_blob_open(db.sqliteConnection, "main", table, column, rowID, 1, &blob)
        guard code == SQLITE_OK, let blob else { throw blobError(db, code) }
        defer { sqlite3_blob_close(blob) }
        var offset = 0
        while offset < bytes.count {
            let count = min(blobChunkBytes, bytes.count - offset)
            code = sqlite3_blob_write(blob, base + offset, Int32(count), Int32(offset))
            guard code == SQLITE_OK else { throw blobError(db, code) }
            offset += count
        }
    }

    static func readBlob(_ db: Database, table: String, column: String, rowID: Int64,
                         _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var blob: OpaquePointer?
        var code = sqlite3_blob_open(db.sqliteConnection, "main", table, column, rowID, 0, &blob)
        guard code == SQLITE_OK, let blob else { throw blobError(db, code) }
        defer { sqlite3_blob_close(blob) }
        let size = Int(sqlite3_blob_bytes(blob))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(max(size, 1), blobChunkBytes), alignment: 8)
        defer { buffer.deallocate() }
        var offset = 0
        while offset < size {
            let count = min(blobChunkBytes, size - offset)
            code = sqlite3_blob_read(blob, buffer.baseAddress, Int32(count), Int32(offset))
            guard code == SQLITE_OK else { throw blobError(db, code) }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            offset += count
        }
    }

    private static func blobError(_ db: Database, _ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
}
