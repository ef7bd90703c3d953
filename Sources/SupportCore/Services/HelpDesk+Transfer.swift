import Foundation

extension HelpDesk {
    /// Streams matching tickets, oldest first, as the actor may see them (a requester: their own,
    /// without internal notes).
    public func exportTickets(_ query: TicketQuery, _ emit: (Ticket) -> Void) throws(SupportError) {
        guard let filter = try filter(for: query) else { return }
        try database.exportTickets(matching: filter, includeInternal: actor.isStaff, emit)
    }

    /// Imports NDJSON lines (admin only), in batches of `batchSize` tickets. A bad line is
    /// reported with its number and skipped; no ticket is ever half imported. The lines are
    /// read and parsed on this thread while another writes the batches already parsed.
    public func importTickets(lines: some Sequence<String>, batchSize: Int = 5000) throws(SupportError) -> ImportSummary {
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
        for line in lines {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
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
