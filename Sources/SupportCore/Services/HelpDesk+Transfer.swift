import Foundation

extension HelpDesk {
    /// Streams matching tickets, oldest first, as the actor may see them (a requester: their own,
    /// without internal notes).
    /// Every matching ticket, each whole (for callers that hold one ticket at a time anyway).
    public func exportTickets(_ query: TicketQuery, _ emit: (Ticket) -> Void) throws(SupportError) {
        var current: Ticket?
        try exportTickets(query, ticket: { current = $0 }, reply: { current?.responses.append($0) },
                          end: { if let current { emit(current) } })
    }

    /// Every matching ticket without its replies, then each reply, then `end`: replies are never
    /// held together (`ticket export` writes them as they come).
    public func exportTickets(_ query: TicketQuery, ticket: (Ticket) -> Void, reply: (TicketResponse) -> Void,
                              end: () -> Void) throws(SupportError) {
        guard let filter = try filter(for: query) else { return }
        try database.exportTickets(matching: filter, includeInternal: actor.isStaff, ticket: ticket, reply: reply, end: end)
    }

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
        var lineNumber = 0
        for read in lines {
            lineNumber += 1
            do {
                let line = try read.get()
                if line.allSatisfy(\.isWhitespace) { continue }
                batch.append(try ImportParser.draft(line: lineNumber, text: line, now: now))
            } catch {
                parseErrors.append(ImportError(line: lineNumber, message: error.message))
            }
            if batch.count >= batchSize {
                // False: the writer failed; its error is thrown below.
                guard channel.put(batch) else { break }
                batch.removeAll(keepingCapacity: true)
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
