import Foundation

extension HelpDesk {
    /// Streams matching tickets, oldest first, as the actor may see them (a requester: their own,
    /// without internal notes).
    public func exportTickets(_ query: TicketQuery, _ emit: (Ticket) -> Void) throws(SupportError) {
        guard let filter = try filter(for: query) else { return }
        try database.exportTickets(matching: filter, includeInternal: actor.isStaff, emit)
    }

    /// Imports NDJSON lines (admin only), `batchSize` tickets a transaction. A bad line is
    /// reported with its number and skipped; no ticket is ever half imported.
    public func importTickets(lines: some Sequence<String>, batchSize: Int = 5000) throws(SupportError) -> ImportSummary {
        try requireAdmin("import tickets")
        var summary = ImportSummary()
        var batch: [ImportDraft] = []
        let now = Date()
        func flush() throws(SupportError) {
            guard !batch.isEmpty else { return }
            let errors = try database.importTickets(batch, by: actorReference)
            summary.imported += batch.count - errors.count
            summary.errors += errors
            batch.removeAll(keepingCapacity: true)
        }
        var lineNumber = 0
        for line in lines {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                batch.append(try ImportParser.draft(line: lineNumber, text: line, now: now))
            } catch {
                summary.errors.append(ImportError(line: lineNumber, message: error.message))
            }
            if batch.count >= batchSize { try flush() }
        }
        try flush()
        summary.errors.sort { $0.line < $1.line }
        return summary
    }
}
