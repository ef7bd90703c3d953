import CSQLiteConfig
import Foundation
import GRDB
import GRDBSQLite

/// A set of ticket ids, one bit each (bit `id` of word `id / 64`), filled and combined in C
/// (CSQLiteConfig): the plan of `AppDatabase.bitmapPage` for the combinations no index serves.
struct TicketBitmap {
    private(set) var words: [UInt64]

    /// Room for the ids 0 ... `maxID`.
    init(maxID: Int64) {
        words = Array(repeating: 0, count: Int(max(0, maxID) / 64) + 1)
    }

    /// Sets the bit of every id the statement's first column gives.
    mutating func fill(_ db: Database, sql: String, arguments: StatementArguments) throws {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        let code = words.withUnsafeMutableBufferPointer { csqlite_bitmap_fill(handle, $0.baseAddress, Int64($0.count)) }
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
    }

    /// Keeps only the ids `other` holds too; returns how many remain.
    @discardableResult
    mutating func formIntersection(_ other: TicketBitmap) -> Int {
        precondition(other.words.count == words.count)
        return other.words.withUnsafeBufferPointer { theirs in
            words.withUnsafeMutableBufferPointer { Int(csqlite_bitmap_and($0.baseAddress, theirs.baseAddress, Int64($0.count))) }
        }
    }

    var count: Int {
        words.withUnsafeBufferPointer { Int(csqlite_bitmap_count($0.baseAddress, Int64($0.count))) }
    }

    /// The ids in id order (highest first when `descending`), past the first `skip`, at most `limit`.
    func ids(descending: Bool, skip: Int, limit: Int) -> [Int64] {
        guard limit > 0 else { return [] }
        var out = [Int64](repeating: 0, count: limit)
        let written = words.withUnsafeBufferPointer { words in
            out.withUnsafeMutableBufferPointer {
                csqlite_bitmap_ids(words.baseAddress, Int64(words.count), descending ? 1 : 0, Int64(skip), Int64(limit), $0.baseAddress)
            }
        }
        return Array(out.prefix(Int(written)))
    }

    /// The words as a blob for `support_in_bitmap(?, id)` (this machine's byte order, read by
    /// the same process).
    var blob: Data { words.withUnsafeBytes { Data($0) } }
}

extension AppDatabase {
    /// A filter of a list as the bitmap plan reads it: one condition on `ticket t` served by an
    /// index that holds the ticket id (a covering range).
    enum FilterKind: Hashable { case status, priority, category, assignee, window }

    static func filterParts(_ filter: TicketFilter) -> [(kind: FilterKind, condition: String, arguments: StatementArguments)] {
        let q = filter.query
        var parts: [(kind: FilterKind, condition: String, arguments: StatementArguments)] = []
        func add(_ kind: FilterKind, _ column: String, _ values: StatementArguments, count: Int) {
            guard count > 0 else { return }
            parts.append((kind, "t.\(column) IN (\(databaseQuestionMarks(count: count)))", values))
        }
        add(.status, "status", StatementArguments(q.statuses.map(\.rawValue)), count: q.statuses.count)
        add(.priority, "priority", StatementArguments(q.priorities.map(\.rawValue)), count: q.priorities.count)
        add(.category, "category", StatementArguments(q.categories.map(\.rawValue)), count: q.categories.count)
        switch filter.assignedTo {
        case .none: break
        case .some(.none): parts.append((.assignee, "t.assignedTo IS NULL", []))
        case .some(.some(let id)): parts.append((.assignee, "t.assignedTo = ?", [id]))
        }
        let window = CreatedWindow(since: q.since, until: q.until)
        let windowConditions = window.conditions(column: "t.createdAt")
        if !windowConditions.isEmpty {
            parts.append((.window, windowConditions.joined(separator: " AND "), window.arguments))
        }
        return parts
    }

    /// The filters as the fills read them: two that an index holds side by side (status and
    /// priority, status and assignee, category and assignee, assignee and priority) as one
    /// condition, read from that index: `--status open,in-progress --priority high` reads the
    /// 55,000 ids of (status, priority, createdAt) instead of 250,000 and 250,000 at 1M.
    static func fillParts(_ parts: [(kind: FilterKind, condition: String, arguments: StatementArguments)])
        -> [(condition: String, arguments: StatementArguments)] {
        var left = parts
        var fills: [(condition: String, arguments: StatementArguments)] = []
        for (a, b) in [(FilterKind.status, FilterKind.priority), (.status, .assignee), (.category, .assignee), (.assignee, .priority)] {
            guard let i = left.firstIndex(where: { $0.kind == a }), let j = left.firstIndex(where: { $0.kind == b }) else { continue }
            fills.append((left[i].condition + " AND " + left[j].condition, left[i].arguments + left[j].arguments))
            left.removeAll { $0.kind == a || $0.kind == b }
        }
        return fills + left.map { ($0.condition, $0.arguments) }
    }

    /// Whether an index reads this list's filters and order as one range in order (today's
    /// plans then stop at the page: the queue views of issue 14, EXPLAIN QUERY PLAN tested).
    static func indexServes(_ kinds: Set<FilterKind>, _ sort: TicketSort) -> Bool {
        let withoutWindow = kinds.subtracting([.window])
        switch sort {
        case .created, .relevance:
            // (status, assignedTo, createdAt), (category, assignedTo, createdAt),
            // (status, priority, createdAt), each with the window a range of createdAt.
            return withoutWindow.isSubset(of: [.status, .assignee]) || withoutWindow.isSubset(of: [.category, .assignee])
                || withoutWindow.isSubset(of: [.status, .priority])
        case .updated:
            // (status, updatedAt), (assignedTo, updatedAt), (updatedAt, id, createdAt).
            return kinds.isEmpty || kinds == [.status] || kinds == [.assignee]
        case .priority:
            // (status, priority, createdAt), (assignedTo, priority, createdAt), (priority, createdAt).
            return kinds.isSubset(of: [.status, .priority]) || kinds.isSubset(of: [.assignee, .priority])
        case .status:
            // (status, createdAt), and (status, assignedTo, createdAt) a status at a time (`mergeArms`).
            return withoutWindow.isSubset(of: [.status, .assignee])
        }
    }

    /// The filter whose column leads the order's index (`orderIndex`), if the list has one: the
    /// walk then reads only that filter's range of the index (`--since/--until` newest first:
    /// the window of ticket_on_createdAt; `--status` by status; `--priority` by priority).
    static func leadingPart(_ parts: [(kind: FilterKind, condition: String, arguments: StatementArguments)], _ sort: TicketSort)
        -> (condition: String, arguments: StatementArguments)? {
        let kind: FilterKind
        switch sort {
        case .created, .relevance: kind = .window
        case .status: kind = .status
        case .priority: kind = .priority
        case .updated: return nil
        }
        return parts.first { $0.kind == kind }.map { ($0.condition, $0.arguments) }
    }

    /// The index read in each order by the bitmap plan's page walk: it holds the order's
    /// columns and the id, so the walk never reads the table.
    static func orderIndex(_ sort: TicketSort) -> String {
        switch sort {
        case .created, .relevance: return "ticket_on_createdAt"
        case .updated: return "ticket_on_updatedAt_createdAt"
        case .priority: return "ticket_on_priority_createdAt"
        case .status: return "ticket_on_status_createdAtDesc_idDesc"
        }
    }

    /// Below this many rows read, today's plans (read one filter's range or the search's hits,
    /// check the rest on each ticket, sort) take under about 40 ms at 1M tickets (2 µs a row);
    /// the bitmap plan is for the combinations that would read more.
    static let bitmapThreshold = 20_000

    /// Which plan a list takes: `costed` (the cost guess below decides), or one forced (tests
    /// compare the two plans' pages and totals; `walk` forces the bitmap plan's page walk on or
    /// off).
    enum ListPlan: Sendable { case costed, todays, bitmap(walk: Bool?) }

    enum BitmapOutcome {
        /// The page's ticket ids in order, and the exact total.
        case page(total: Int, ids: [Int64])
        /// Today's plans are as good: `total` when the bitmap plan already counted it.
        case todays(total: Int?)
    }

    /// The plan for the combinations no single index serves (several filters, a common word with
    /// filters or another order, deep pages): each filter is read once into a bitmap of ticket
    /// ids, from the index of its column (a covering range), the search from its full-text
    /// documents in rowid order (and the tails of split tickets, `tailSearch`); the bitmaps are
    /// ANDed, the total is their popcount, and the page is either the bitmap's ids themselves
    /// (a search newest first: id order), or read by walking the index of the order and keeping
    /// the ids whose bit is set (`support_in_bitmap`), stopping at the page, or, when few
    /// tickets match and the walk would be long, those tickets looked up and sorted.
    ///
    /// Costs at 1M tickets (uniform file): ~30 ns a row to fill (the 903,145 hits of `printer`:
    /// about 27 ms, as the shell's sum of their rowids), ~35 ns an index entry walked
    /// (`orderedPage`).
    /// Never for a requester (`submittedBy`: their tickets are few, and their search must not
    /// reach staff documents, which this plan would not name anyway).
    static func bitmapPage(_ db: Database, _ filter: TicketFilter, searchingTailsOrNotes: Bool, plan: ListPlan = .costed) throws -> BitmapOutcome {
        let q = filter.query
        let forced: Bool, walk: Bool?
        switch plan {
        case .todays: return .todays(total: nil)
        case .costed: (forced, walk) = (false, nil)
        case .bitmap(let forcedWalk): (forced, walk) = (true, forcedWalk)
        }
        let threshold = forced ? 0 : bitmapThreshold
        guard filter.submittedBy == nil else { return .todays(total: nil) }
        let parts = filterParts(filter)
        let kinds = Set(parts.map(\.kind))
        let pageEnd = q.page * q.limit
        // Read only past the early returns: the queue views (and the server's list route) pay nothing.
        func ticketCount() throws -> Int { try Int.fetchOne(db.cachedStatement(sql: "SELECT coalesce(sum(tickets), 0) FROM ticket_tally")) ?? 0 }
        if let search = q.search {
            // A search newest first and nothing else: FTS5 hands out the page in order itself.
            if parts.isEmpty && q.sort == .created { return .todays(total: nil) }
            guard let match = searchMatch(search),
                  let tail = tailSearch(search, includeNotes: filter.searchesInternalNotes, ticketID: "t.id") else {
                return .todays(total: nil)
            }
            if parts.isEmpty && q.sort == .relevance, let list = searchSQL(for: filter, searchingTailsOrNotes: searchingTailsOrNotes) {
                // By relevance and nothing else: the page's ids ranked (the hits counted on the
                // way), the tickets read after. Today's page joined every hit's ticket row before
                // the sort: `--search button --sort relevance --reverse` at 1M, 1.2-1.6 s against
                // the shell's 0.5 s for the ids.
                let page = try relevancePage(db, filter, nil, match: match, tail: searchingTailsOrNotes ? tail : nil)
                let total = try page.total ?? Int.fetchOne(db, sql: list.countSQL, arguments: list.countArguments) ?? 0
                return .page(total: total, ids: page.ids)
            }
            let maxID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM ticket") ?? 0
            if parts.isEmpty, !forced, let list = searchSQL(for: filter, searchingTailsOrNotes: searchingTailsOrNotes) {
                // Another order, no filter: the hits counted as today (FTS5's count(*) of a
                // MATCH is cheaper than handing out every rowid: `--search button --sort
                // priority`, page 1, 26 ms at 1M with it, about twice that with the fill); when
                // the page is near the start of the order, today's walk of the order's index
                // with a full-text look-up per ticket (tens of µs each) is as cheap. Unless a few
                // slices of the ids say, by a wide margin, that the bitmap plan will be taken: its
                // fill counts the hits too, and counting first read FTS5's doclists twice
                // (`--search "button refund" --sort updated --page 1000` at 1M: 99.7 → 64.7 ms of CPU).
                let estimate = try estimatedHits(db, index: searchIndex(filter), match: match, maxID: maxID)
                if try estimate < 4 * threshold || Double(pageEnd) * Double(ticketCount()) / Double(max(estimate, 1)) < Double(threshold / 5) {
                    let counted = try Int.fetchOne(db, sql: list.countSQL, arguments: list.countArguments) ?? 0
                    if try counted < threshold || Double(pageEnd) * Double(ticketCount()) / Double(max(counted, 1)) < Double(threshold / 20) {
                        return .todays(total: counted)
                    }
                }
            }
            if q.sort == .relevance && pageEnd <= rankedKeepLimit {
                // By relevance with filters: the filters' bitmap alone; the ranked read counts the
                // hits among it on its way (filling the hits first cost another pass over them:
                // 28 ms of `--search button --priority critical --sort relevance` at 1M).
                guard let matching = try filterBitmap(db, parts, maxID: maxID), matching.count > 0 else { return .page(total: 0, ids: []) }
                let page = try relevancePage(db, filter, matching, match: match, tail: searchingTailsOrNotes ? tail : nil)
                if let total = page.total { return .page(total: total, ids: page.ids) }
            }
            var hits = TicketBitmap(maxID: maxID)
            let index = searchIndex(filter)
            try hits.fill(db, sql: "SELECT rowid FROM \(index) WHERE \(index) MATCH ?", arguments: [match])
            if searchingTailsOrNotes {
                // The split tickets a tail reply or (staff) a tail note completes: disjoint from
                // the documents' hits (`tailSearch` requires the document to miss a word).
                try hits.fill(db, sql: "SELECT t.id FROM ticket t WHERE " + tail.condition, arguments: tail.arguments)
            }
            if !parts.isEmpty && hits.count < threshold {
                // Few hits: today's plans read them and check the filters on each ticket.
                return .todays(total: nil)
            }
            var matching = hits
            for part in fillParts(parts) where matching.count > 0 {
                var range = TicketBitmap(maxID: maxID)
                try range.fill(db, sql: "SELECT t.id FROM ticket t WHERE " + part.condition, arguments: part.arguments)
                matching.formIntersection(range)
            }
            let total = matching.count
            if q.sort == .created {
                return .page(total: total, ids: matching.ids(descending: !q.reverse, skip: (q.page - 1) * q.limit, limit: q.limit))
            }
            if q.sort == .relevance {
                return .page(total: total, ids: try relevancePage(db, filter, matching, match: match, tail: searchingTailsOrNotes ? tail : nil).ids)
            }
            return .page(total: total, ids: try orderedPage(db, q, matching, total: total, tickets: try ticketCount(), walk: walk,
                                                       within: leadingPart(parts, q.sort)))
        }

        // No search: only the combinations no index serves, and only when every filter's range
        // is long (today's plan reads the shortest and checks the others on each ticket).
        guard !parts.isEmpty, forced || !indexServes(kinds, q.sort) else { return .todays(total: nil) }
        for part in parts where !forced {
            if try rangeLength(db, part.kind, filter, cap: threshold) <= threshold { return .todays(total: nil) }
        }
        let maxID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM ticket") ?? 0
        guard let matching = try filterBitmap(db, parts, maxID: maxID) else { return .todays(total: nil) }
        let total = matching.count
        return .page(total: total, ids: try orderedPage(db, q, matching, total: total, tickets: try ticketCount(), walk: walk,
                                                       within: leadingPart(parts, q.sort)))
    }

    /// About how many documents of `index` match `match`: the hits of four slices of 1/256 of the
    /// ids (at 1/8, 3/8, 5/8 and 7/8 of them) scaled up; 0 for a desk of fewer than 80,000 ids
    /// (the caller then counts). Each slice is a range of FTS5's doclists (well under a ms at 1M).
    static func estimatedHits(_ db: Database, index: String, match: String, maxID: Int64) throws -> Int {
        guard maxID >= 4 * Int64(bitmapThreshold) else { return 0 }
        let width = maxID / 256
        var found = 0
        for eighth in [1, 3, 5, 7] as [Int64] {
            let low = maxID / 8 * eighth
            found += try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM \(index) WHERE \(index) MATCH ? AND rowid BETWEEN ? AND ?"),
                                      arguments: [match, low, low + width - 1]) ?? 0
        }
        return Int(Double(found) * Double(maxID) / Double(4 * width))
    }

    /// The tickets every filter keeps (`fillParts`, each read once from its index), ANDed; nil
    /// without a filter. Stops filling once none is left.
    static func filterBitmap(_ db: Database, _ parts: [(kind: FilterKind, condition: String, arguments: StatementArguments)],
                             maxID: Int64) throws -> TicketBitmap? {
        var matching: TicketBitmap?
        for part in fillParts(parts) where matching.map({ $0.count > 0 }) ?? true {
            var range = TicketBitmap(maxID: maxID)
            try range.fill(db, sql: "SELECT t.id FROM ticket t WHERE " + part.condition, arguments: part.arguments)
            if matching == nil { matching = range } else { matching!.formIntersection(range) }
        }
        return matching
    }

    /// How many tickets a filter's index range holds, counted up to `cap` (value filters: the
    /// tally's sum, exact).
    static func rangeLength(_ db: Database, _ kind: FilterKind, _ filter: TicketFilter, cap: Int) throws -> Int {
        let q = filter.query
        func tally(_ column: String, _ values: StatementArguments, count: Int) throws -> Int {
            try Int.fetchOne(db, sql: "SELECT coalesce(sum(tickets), 0) FROM ticket_tally WHERE \(column) IN (\(databaseQuestionMarks(count: count)))",
                             arguments: values) ?? 0
        }
        switch kind {
        case .status: return try tally("status", StatementArguments(q.statuses.map(\.rawValue)), count: q.statuses.count)
        case .priority: return try tally("priority", StatementArguments(q.priorities.map(\.rawValue)), count: q.priorities.count)
        case .category: return try tally("category", StatementArguments(q.categories.map(\.rawValue)), count: q.categories.count)
        case .assignee, .window:
            guard let part = filterParts(filter).first(where: { $0.kind == kind }) else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT 1 FROM ticket t WHERE \(part.condition) LIMIT ?)",
                                    arguments: part.arguments + [cap + 1]) ?? 0
        }
    }

    /// The page of `matching` in the query's order (not relevance; created without a search is
    /// by createdAt): walking the order's index, keeping the ids whose bit is set, when that
    /// reads fewer entries than looking up every matching ticket would cost (an entry walked
    /// ~35 ns, a ticket looked up and sorted ~2 µs); else those tickets sorted. Measured on the
    /// uniform 1M file: `--status resolved --priority low --sort updated --page 1000` fills
    /// 555,000 ids and walks ~450,000 entries of the updatedAt index in 45 ms, process included.
    static func orderedPage(_ db: Database, _ q: TicketQuery, _ matching: TicketBitmap, total: Int, tickets: Int,
                            walk forcedWalk: Bool? = nil,
                            within leading: (condition: String, arguments: StatementArguments)? = nil) throws -> [Int64] {
        guard total > (q.page - 1) * q.limit else { return [] }
        let order = orderClause(q.sort, reverse: q.reverse)
        let pageEnd = Double(q.page * q.limit)
        let walk = min(Double(tickets), pageEnd * Double(tickets) / Double(total))
        if forcedWalk ?? (walk < 50 * Double(total)) {
            try ensureBitmapFunction(db)
            // Only the leading filter's range of the index, when the index starts with it.
            let range = leading.map { $0.condition + " AND " } ?? ""
            return try Int64.fetchAll(db, sql: "SELECT t.id FROM ticket t INDEXED BY \(orderIndex(q.sort)) WHERE \(range)support_in_bitmap(?, t.id)"
                                        + order + " LIMIT ? OFFSET ?",
                                      arguments: (leading?.arguments ?? []) + [matching.blob, q.limit, (q.page - 1) * q.limit])
        }
        let ids = matching.ids(descending: true, skip: 0, limit: total)
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        return try Int64.fetchAll(db, sql: "SELECT t.id FROM ticket t WHERE t.id IN (SELECT value FROM json_each(?))"
                                    + order + " LIMIT ? OFFSET ?",
                                  arguments: [list, q.limit, (q.page - 1) * q.limit])
    }

    /// A search's page by relevance among `matching` (search and filters; nil: every hit), in
    /// bm25's order as `searchSQL` gives it (ties by id, highest first), a ticket found through
    /// its tail (`tail`) with the score 0 (after those with a score; first with `--reverse`);
    /// `total`: the hits among `matching` and the tails, or nil when the page is too deep for the
    /// ranked read (then SQLite's bm25 and sorter, and the caller counts).
    ///
    /// The scores are FTS5's bm25 computed by `support_rank` (CSQLiteConfig), which reads the
    /// document sizes in rowid order beside the hits and keeps only the page's best: `--search
    /// button --status all --sort relevance --reverse` at 1M (903,447 hits, uniform file) took
    /// about 400 ms with `bm25()` and SQLite's sorter, 62 % of it one %_docsize seek per hit.
    static func relevancePage(_ db: Database, _ filter: TicketFilter, _ matching: TicketBitmap?, match: String,
                              tail: (condition: String, arguments: StatementArguments)?) throws -> (ids: [Int64], total: Int?) {
        let q = filter.query
        let keep = q.page * q.limit
        guard keep <= rankedKeepLimit else {
            return (try relevancePageBySQL(db, filter, matching, match: match, tail: tail), nil)
        }
        try ensureBitmapFunction(db)
        try ensureRankFunction(db)
        var tailIDs: [Int64] = []
        if let tail {
            let blob = matching?.blob
            tailIDs = try Int64.fetchAll(db, sql: "SELECT t.id FROM ticket t WHERE \(tail.condition)" + (blob == nil ? "" : " AND support_in_bitmap(?, t.id)"),
                                         arguments: tail.arguments + (blob.map { [$0] } ?? []))
        }
        let ranked = try rankedHits(db, index: searchIndex(filter), search: q.search ?? "", matching: matching, reverse: q.reverse, keep: keep)
        // The tails (score 0) merged in: at most `keep` of either can be on the page's way.
        var entries = ranked.entries
        entries += tailIDs.map { (id: $0, score: 0.0) }
        entries.sort { a, b in
            if a.score != b.score { return q.reverse ? a.score > b.score : a.score < b.score }
            return a.id > b.id
        }
        let ids = entries.dropFirst((q.page - 1) * q.limit).prefix(q.limit).map(\.id)
        return (Array(ids), ranked.hits + tailIDs.count)
    }

    /// From this many tickets a ranked read may take both cores, when it reads at least
    /// `parallelRankHits` rows (guessed from a slice of the ids): opening the second connection
    /// costs about 1.5 ms, ranking 20,000 hits about 3 ms of CPU.
    static let parallelRankTickets: Int64 = 200_000
    static let parallelRankHits: Int64 = 20_000

    /// Tests only: the ranked read's stretch of document lengths and how often it decides between
    /// stretches and its cursor (`csqlite_rank_tune`; 0 for the defaults). Scores never change.
    static func tuneRankedRead(stretchIDs: Int64, decideEvery: Int64) {
        csqlite_rank_tune(stretchIDs, decideEvery)
    }

    /// Deeper than this (page × limit), the ranked read's buffer would hold more than 2 MB: the
    /// SQL plan instead.
    static let rankedKeepLimit = 100_000

    /// The `keep` best hits of `match` in `index` by bm25 (10 for the subject, 1 for the text
    /// and the notes), in page order, among `matching`; and how many hits `matching` holds.
    ///
    /// With many tickets (`parallelRankTickets`, or `parallel` forced) the ids are split in two
    /// halves ranked at once on two connections (`csqlite_rank_page_parallel`).
    ///
    /// On both cores, when a slice of the ids says that the hits are at least half the tickets
    /// (or `assumeCommon`), the words' document counts are not read at all: bm25's idf is then
    /// 1e-6 for each word whatever its count, which the ranking checks against the hits it saw
    /// (ranking again with the counts if not): `--search "button refund" --sort relevance` at
    /// 1M (uniform), 25 % of the CPU was counting the documents of `button` and of `refund`.
    static func rankedHits(_ db: Database, index: String, search: String, matching: TicketBitmap?, reverse: Bool, keep: Int,
                           parallel forced: Bool? = nil, assumeCommon: Bool? = nil) throws -> RankedHits {
        guard let match = searchMatch(search) else { return RankedHits(entries: [], hits: 0, bothCores: false, commonWords: false) }
        let maxID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM ticket") ?? 0
        // (the C side then looks at a slice of the ids: fewer than `parallelRankHits` to read, one core)
        let parallel = forced ?? (maxID >= parallelRankTickets)
        var ids = [Int64](repeating: 0, count: keep)
        var scores = [Double](repeating: 0, count: keep)
        var hits: Int64 = 0
        var code: Int32 = SQLITE_OK
        var both: Int32 = 0, common: Int32 = 0
        var seen: Int64 = 0, rows: Int64 = 0
        // FTS5's phrases of `match` (`searchMatch`), in order: each word quoted.
        let phrases = searchWords(search).map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: "\u{1F}")
        let weights: [Double] = [10.0, 1.0, 1.0]
        let words = matching?.words
        let written = ids.withUnsafeMutableBufferPointer { ids in
            scores.withUnsafeMutableBufferPointer { scores in
                weights.withUnsafeBufferPointer { weights in
                    func run(_ bitmap: UnsafePointer<UInt64>?, _ count: Int) -> Int64 {
                        guard parallel else {
                            return csqlite_rank_page(db.sqliteConnection, index, match, bitmap, Int64(count), weights.baseAddress,
                                                     Int32(weights.count), reverse ? 1 : 0, Int64(keep), Int64.min, Int64.max, nil, 0,
                                                     ids.baseAddress, scores.baseAddress, &hits, &code, &seen, &rows)
                        }
                        return csqlite_rank_page_parallel(db.sqliteConnection, index, match, phrases, bitmap, Int64(count), maxID,
                                                          weights.baseAddress, Int32(weights.count), reverse ? 1 : 0, Int64(keep),
                                                          assumeCommon.map { $0 ? 1 : 0 } ?? -1, forced == true ? 0 : parallelRankHits,
                                                          ids.baseAddress, scores.baseAddress, &hits, &code, &both, &common)
                    }
                    if let words { return words.withUnsafeBufferPointer { run($0.baseAddress, $0.count) } }
                    return run(nil, 0)
                }
            }
        }
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        return RankedHits(entries: (0..<Int(written)).map { (ids[$0], scores[$0]) }, hits: Int(hits), bothCores: both != 0,
                          commonWords: common != 0)
    }

    /// What `rankedHits` found: the best hits in page order with their bm25, how many hits
    /// (among the filters), whether two connections ranked them, and whether it took every
    /// word's idf to be 1e-6 (hits in at least half the tickets) without counting.
    struct RankedHits {
        var entries: [(id: Int64, score: Double)]
        var hits: Int
        var bothCores: Bool
        var commonWords: Bool
    }

    /// The page by relevance as SQLite orders it with FTS5's `bm25()` (for pages deeper than
    /// `rankedKeepLimit`).
    static func relevancePageBySQL(_ db: Database, _ filter: TicketFilter, _ matching: TicketBitmap?, match: String,
                                   tail: (condition: String, arguments: StatementArguments)?) throws -> [Int64] {
        try ensureBitmapFunction(db)
        let q = filter.query
        let index = searchIndex(filter)
        let direction = q.reverse ? "DESC" : "ASC"
        // Without a bitmap (no filter) every hit is on the page's way.
        let blob = matching?.blob
        var sql = "SELECT f.rowid AS id, bm25(f.\(index), 10.0, 1.0, 1.0) AS score FROM \(index) f"
            + " WHERE f.\(index) MATCH ?" + (blob == nil ? "" : " AND support_in_bitmap(?, f.rowid)")
        var arguments: StatementArguments = [match]
        if let blob { arguments += [blob] }
        if let tail {
            sql += " UNION ALL SELECT t.id, 0.0 FROM ticket t WHERE \(tail.condition)" + (blob == nil ? "" : " AND support_in_bitmap(?, t.id)")
            arguments += tail.arguments
            if let blob { arguments += [blob] }
        }
        return try Int64.fetchAll(db, sql: "SELECT id FROM (\(sql)) ORDER BY score \(direction), id DESC LIMIT ? OFFSET ?",
                                  arguments: arguments + [q.limit, (q.page - 1) * q.limit])
    }

    /// Registers `support_rank` (the ranked read's FTS5 function) on the connection unless it is
    /// there already.
    static func ensureRankFunction(_ db: Database) throws {
        if (try? db.makeStatement(sql: "SELECT support_rank(ticket_search, NULL) FROM ticket_search WHERE 0")) != nil { return }
        let code = csqlite_register_rank_function(db.sqliteConnection)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot register support_rank")
        }
    }

    /// Registers `support_in_bitmap` on the connection unless it is there already.
    static func ensureBitmapFunction(_ db: Database) throws {
        if (try? db.makeStatement(sql: "SELECT support_in_bitmap(x'', 0)")) != nil { return }
        let code = csqlite_register_bitmap_function(db.sqliteConnection)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot register support_in_bitmap")
        }
    }
}
