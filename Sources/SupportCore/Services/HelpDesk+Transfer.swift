import Foundation

extension HelpDesk {
    /// Streams matching tickets, oldest first, as the actor may see them (a requester: their own,
    /// without internal notes).
    /// Every matching ticket, each whole (for callers that hold one ticket at a time anyway).
    public func exportTickets(_ query: TicketQuery, _ emit: (Ticket) -> Void) throws(SupportError) {
        var current: Ticket?
        try exportTickets(query, ticket: { current = $0 }, reply: { current?.responses.append($0) },
                          end: { files in
                              guard var whole = current else { return }
                              whole.attachments = files.attachments
                              emit(whole)
                          })
    }

    /// Every matching ticket without its replies, then each reply, then `end` with the ticket's
    /// files (those the actor may see), whose content it may read: replies are never held
    /// together, nor files (`ticket export` writes them as they come).
    public func exportTickets(_ query: TicketQuery, ticket: (Ticket) -> Void, reply: (TicketResponse) -> Void,
                              end: (ExportedFiles) throws -> Void) throws(SupportError) {
        guard let filter = try filter(for: query) else { return }
        try database.exportTickets(matching: filter, includeInternal: actor.isStaff, ticket: ticket, reply: reply, end: end)
    }

    /// The attachment bytes a batch of an import may hold before it is handed to the writer.
    static let importBatchAttachmentBytes = 64 << 20

    /// Imports NDJSON lines (admin only), in batches of `batchSize` tickets. A bad line is
    /// reported with its number and skipped; no ticket is ever half imported. The lines are
    /// read and parsed on this thread while another writes the batches already parsed.
    public func importTickets(lines: some Sequence<String>, batchSize: Int = 5000) throws(SupportError) -> ImportSummary {
        try importTickets(readLines: lines.lazy.map { Result<String, SupportError>.success($0) }, batchSize: batchSize)
    }

    /// As `importTickets(lines:)`, for a reader that can refuse a line itself (too long, not
    /// UTF-8): the refusal is reported with the line's number like any other.
    public func importTickets(readLines lines: some Sequence<Result<String, SupportError>>,
                              batchSize: Int = 5000) throws(SupportError) -> ImportSummary {
        try requireAdmin("import tickets")
        let limits = ImportAttachmentLimits(try database.settings())
        let channel = BoundedChannel<[ImportDraft]>(capacity: 2)
        let written = ImportWriteResult()
        let database = self.database, actor = actorReference
        let writer = Thread {
            written.set(Result { () throws(SupportError) in try database.importTickets(batches: channel.next, by: actor) })
            channel.close()
        }
        writer.stackSize = 8 << 20
        writer.start()

        var parseErrors: [ImportError] = []
        var batch: [ImportDraft] = []
        batch.reserveCapacity(batchSize)
        let now = Date()
        let timeText = database.importTimeText
        var lineNumber = 0
        // Attachment bytes in `batch`: a batch is handed over early once they pass
        // `importBatchAttachmentBytes`, so memory stays bounded by that, not by the tickets' files.
        var batchBytes = 0
        for read in lines {
            lineNumber += 1
            do {
                let line = try read.get()
                if line.allSatisfy(\.isWhitespace) { continue }
                let draft = try ImportParser.draft(line: lineNumber, text: line, now: now, limits: limits, timeText: timeText)
                batchBytes += draft.attachments.reduce(0) { $0 + $1.data.count }
                batch.append(draft)
            } catch {
                parseErrors.append(ImportError(line: lineNumber, message: error.message))
            }
            if batch.count >= batchSize || batchBytes >= Self.importBatchAttachmentBytes {
                // False: the writer failed; its error is thrown below.
                guard channel.put(batch) else { break }
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
            }
        }
        if !batch.isEmpty { _ = channel.put(batch) }
        channel.finish()
        var summary = try written.wait().get()
        summary.errors += parseErrors
        summary.errors.sort { $0.line < $1.line }
        return summary
    }
}
