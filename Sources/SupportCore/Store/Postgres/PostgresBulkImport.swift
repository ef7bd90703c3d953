import Foundation

/// One batch of `ticket import` through `COPY`, all or nothing (the caller's savepoint): the
/// people are looked up in one statement and the missing ones created, the numbers counted per
/// year in one statement each, the ids drawn from the identities in one statement each; then the
/// tickets and replies go into temporary tables by `COPY` and from there into the desk's tables in
/// one `INSERT … SELECT` each (into an empty desk held alone, `Target.emptyDesk`, straight into the
/// desk's tables by `COPY`), with what the row triggers would derive (first staff reply,
/// durations, the tally) computed for the whole batch and the search documents made here
/// (`PostgresSearchText`); the history goes in by `COPY`.
///
/// Anything a line could spoil (a number given twice, an assignee who is a requester, a value the
/// database refuses) throws, and the caller writes the batch ticket by ticket instead, where the
/// line is named: this pass never reports a line's error itself, except a number that exists
/// before the batch (asked first, as SQLite's importer does).
///
/// Why it is fast: a ticket with one reply took 8 statements, each a round trip, ticket by
/// ticket; here a batch of 5,000 takes about a dozen (docs/benchmarks.md has the figures).
enum PostgresBulkImport {
    /// A line the whole-batch pass cannot write as it is: the caller goes ticket by ticket.
    struct LineByLine: Error {}

    /// Where a batch's tickets and replies go.
    enum Target {
        /// Into temporary tables, then into the desk's by `INSERT … SELECT` (the durations
        /// computed there): any desk.
        case staged
        /// Straight into the desk's tables, with what the database would derive computed here:
        /// a desk whose tables this transaction holds alone (`PostgresStore.importIntoEmptyDesk`),
        /// so ids are drawn as one block of each sequence.
        case emptyDesk
    }

    static func write(_ tx: PostgresTransaction, _ all: [ImportDraft], actor: PersonReference,
                      into target: Target = .staged) throws -> [ImportError] {
        let actorID = try PostgresStore.userID(tx, for: actor)
        try PostgresStore.reserveGivenNumbers(tx, all)

        // Numbers that exist before the batch: refused with the line, as ticket by ticket.
        var errors: [ImportError] = []
        let given = all.compactMap { $0.number?.description }
        var existing: Set<String> = []
        if !given.isEmpty {
            existing = Set(try tx.rows("SELECT ticketNumber FROM ticket WHERE ticketNumber = ANY(string_to_array($1, ','))",
                                       .text(given.joined(separator: ","))).compactMap { $0.first?.text })
        }
        var drafts: [ImportDraft] = []
        drafts.reserveCapacity(all.count)
        var seen: Set<String> = []
        for d in all {
            if let number = d.number?.description {
                if existing.contains(number) {
                    errors.append(ImportError(line: d.line, message: "ticket \(number) already exists"))
                    continue
                }
                guard seen.insert(number).inserted else { throw LineByLine() }
            }
            drafts.append(d)
        }
        guard !drafts.isEmpty else { return errors }

        let people = try resolvePeople(tx, drafts, actorID: actorID)
        func person(_ p: ImportPerson) -> (id: Int64, isStaff: Bool) { people[p.email.lowercased()]! }
        for d in drafts {
            if let assignee = d.assignee, !person(assignee).isStaff { throw LineByLine() }
            if d.replies.contains(where: { $0.isInternal && !person($0.author).isStaff }) { throw LineByLine() }
        }
        let numbers = try number(tx, drafts)
        let block = target == .emptyDesk
        let ticketIDs = try drawIDs(tx, table: "ticket", count: drafts.count, avoiding: [], asBlock: block)
        let replyIDs = try replyIDs(tx, drafts, asBlock: block)

        try tx.session.execute("SET LOCAL support.bulk_import = 'on'")
        // The batch's large values (documents, messages) compressed with LZ4 where the server
        // has it, PostgreSQL's own pglz otherwise: 20,000 tickets' rows took 570 ms against 660
        // (docs/benchmarks.md). Only this transaction's writes; reads take either.
        try tx.execute("""
            SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings
            WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)
            """)
        if target == .staged {
            try tx.session.execute("""
                CREATE TEMP TABLE support_import_ticket (
                    id BIGINT, ticketnumber TEXT, subject TEXT, message TEXT, category TEXT, priority INTEGER, status INTEGER,
                    submittedby BIGINT, assignedto BIGINT, createdat TIMESTAMPTZ, updatedat TIMESTAMPTZ, resolvedat TIMESTAMPTZ,
                    closedat TIMESTAMPTZ, firstresponseat TIMESTAMPTZ, firstresponderid BIGINT,
                    search_public TSVECTOR, search_staff TSVECTOR
                ) ON COMMIT DROP;
                CREATE TEMP TABLE support_import_response (
                    id BIGINT, ticketid BIGINT, message TEXT, respondedby BIGINT, isinternal BOOLEAN, createdat TIMESTAMPTZ
                ) ON COMMIT DROP
                """)
        }

        // The tickets' rows go out as they are made, a few hundred at a time: PostgreSQL reads
        // them (their documents' text is most of its work for a batch) while the rest are made.
        let ticketCopy = try tx.session.copyStream(into: target == .staged ? "support_import_ticket" : "ticket", columns: [
            "id", "ticketnumber", "subject", "message", "category", "priority", "status", "submittedby", "assignedto",
            "createdat", "updatedat", "resolvedat", "closedat", "firstresponseat", "firstresponderid",
        ] + (target == .staged ? [] : ["firstresponseseconds", "resolutionseconds"]) + ["search_public", "search_staff"])
        var tickets = PostgresCopyText(reservingCapacity: Self.ticketsPerPiece * 2_048)
        var replies = PostgresCopyText(reservingCapacity: drafts.count * 256)
        var history = PostgresCopyText(reservingCapacity: drafts.count * 256)
        var tally: [TallyKey: Int] = [:]
        var replyIndex = 0
        do {
            for (index, d) in drafts.enumerated() {
                let ticketID = ticketIDs[index]
                let number = numbers[index].description
                // The first public reply by staff, earliest first (the first of equal times in
                // the file's order): what the reply trigger keeps.
                var first: (at: Date, by: Int64)?
                var authors: [Int64] = []
                for reply in d.replies {
                    let author = person(reply.author)
                    authors.append(author.id)
                    if !reply.isInternal && author.isStaff && (first == nil || first!.at > reply.createdAt.date) {
                        first = (reply.createdAt.date, author.id)
                    }
                    replies.int(replyIDs[replyIndex]); replies.int(ticketID); replies.text(reply.message); replies.int(author.id)
                    replies.bool(reply.isInternal); try replies.timestamp(reply.createdAt.date)
                    replies.endRow()
                    replyIndex += 1
                }
                tickets.int(ticketID); tickets.text(number); tickets.text(d.subject); tickets.text(d.message)
                tickets.text(d.category.rawValue); tickets.int(Int64(d.priority.rawValue)); tickets.int(Int64(d.status.rawValue))
                tickets.int(person(d.requester).id); tickets.int(d.assignee.map { person($0).id })
                try tickets.timestamp(d.createdAt.date); try tickets.timestamp(d.updatedAt.date)
                try tickets.timestamp(d.resolvedAt?.date); try tickets.timestamp(d.closedAt?.date)
                try tickets.timestamp(first?.at); tickets.int(first?.by)
                if target == .emptyDesk {
                    // What support_ticket_derived would compute, had it not stepped aside.
                    tickets.double(try PostgresCopyText.seconds(from: d.createdAt.date, to: first?.at))
                    tickets.double(try PostgresCopyText.seconds(from: d.createdAt.date, to: d.resolvedAt?.date))
                }
                let documents = PostgresSearchText.documents(subject: d.subject, message: d.message,
                                                             replies: d.replies.map { ($0.message, $0.isInternal) })
                // Staff's document is the public one unless there are notes: sent once then
                // (PostgreSQL reads a tsvector's text at ~13 µs a ticket's document).
                // (NULL: the public one, by coalesce when staged, by the trigger
                // ticket_staff_document when copied straight in.)
                tickets.text(documents.public)
                tickets.text(d.replies.contains(where: \.isInternal) ? documents.staff : nil)
                tickets.endRow()
                if tickets.rows % Self.ticketsPerPiece == 0 { ticketCopy.send(tickets.take()) }
                tally[TallyKey(category: d.category.rawValue, priority: d.priority.rawValue, status: d.status.rawValue), default: 0] += 1
                for e in PostgresStore.importHistory(of: d, actorID: actorID, replyAuthors: authors) {
                    history.text(number); history.int(e.actor); history.text(e.action); history.text(e.field)
                    history.text(e.old); history.text(e.new); history.bool(e.isInternal); try history.timestamp(e.at)
                    history.endRow()
                }
            }
        } catch {
            ticketCopy.cancel()
            throw LineByLine()
        }
        ticketCopy.send(tickets.take())
        try ticketCopy.finish()

        switch target {
        case .staged: try insertStaged(tx, replies: replies)
        case .emptyDesk: try insertDirect(tx, replies: replies, tally: tally)
        }
        try tx.session.copy(into: "audit_event", columns: [
            "ticketnumber", "actorid", "action", "field", "oldvalue", "newvalue", "isinternal", "createdat",
        ], rows: history.bytes)
        try tx.session.execute("SET LOCAL support.bulk_import = 'off'")

        replyIndex = 0
        for (index, d) in drafts.enumerated() where !d.attachments.isEmpty || !d.replies.isEmpty {
            let ids = Array(replyIDs[replyIndex..<(replyIndex + d.replies.count)])
            replyIndex += d.replies.count
            if !d.attachments.isEmpty { try PostgresStore.insertAttachments(tx, d, ticketID: ticketIDs[index], replyIDs: ids) }
        }
        return errors
    }

    /// Tickets a piece of the streamed `COPY` holds (about 1 MB).
    static let ticketsPerPiece = 500

    /// The batch's rows through temporary tables (the tickets already copied there): the
    /// durations computed by the `INSERT`, the tally counted from the staged tickets.
    static func insertStaged(_ tx: PostgresTransaction, replies: PostgresCopyText) throws {
        if replies.rows > 0 {
            try tx.session.copy(into: "support_import_response",
                                columns: ["id", "ticketid", "message", "respondedby", "isinternal", "createdat"], rows: replies.bytes)
        }
        try tx.execute("""
            INSERT INTO ticket (id, ticketNumber, subject, message, category, priority, status, submittedBy, assignedTo,
                                createdAt, updatedAt, resolvedAt, closedAt, firstResponseAt, firstResponderID,
                                firstResponseSeconds, resolutionSeconds, search_public, search_staff)
            SELECT t.id, t.ticketnumber, t.subject, t.message, t.category, t.priority, t.status, t.submittedby, t.assignedto,
                   t.createdat, t.updatedat, t.resolvedat, t.closedat, t.firstresponseat, t.firstresponderid,
                   support_seconds(t.firstresponseat, t.createdat), support_seconds(t.resolvedat, t.createdat),
                   t.search_public, coalesce(t.search_staff, t.search_public)
            FROM support_import_ticket t
            ORDER BY t.id
            """)
        if replies.rows > 0 {
            try tx.execute("""
                INSERT INTO response (id, ticketId, message, respondedBy, isInternal, createdAt)
                SELECT id, ticketid, message, respondedby, isinternal, createdat FROM support_import_response ORDER BY id
                """)
        }
        try tx.execute("""
            INSERT INTO ticket_tally (category, priority, status, tickets)
            SELECT category, priority, status, count(*) FROM support_import_ticket GROUP BY 1, 2, 3
            ON CONFLICT (category, priority, status) DO UPDATE SET tickets = ticket_tally.tickets + excluded.tickets
            """)
    }

    struct TallyKey: Hashable {
        let category: String
        let priority: Int
        let status: Int
    }

    /// The batch's replies and tally straight into the desk's tables (`Target.emptyDesk`; the
    /// tickets already copied there), the tally counted here.
    static func insertDirect(_ tx: PostgresTransaction, replies: PostgresCopyText, tally: [TallyKey: Int]) throws {
        if replies.rows > 0 {
            try tx.session.copy(into: "response", columns: ["id", "ticketid", "message", "respondedby", "isinternal", "createdat"],
                                rows: replies.bytes)
        }
        guard !tally.isEmpty else { return }
        var binds = PostgresBinds()
        let rows = tally.map { key, tickets in
            "(\(binds.add(.text(key.category)))::text, \(binds.add(.int(Int64(key.priority))))::integer, "
                + "\(binds.add(.int(Int64(key.status))))::integer, \(binds.add(.int(Int64(tickets))))::bigint)"
        }
        try tx.execute("""
            INSERT INTO ticket_tally (category, priority, status, tickets) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (category, priority, status) DO UPDATE SET tickets = ticket_tally.tickets + excluded.tickets
            """, binds: binds.values)
    }

    /// Every person the batch names, by lower-cased email: the users there are, and the rest
    /// created in the order ticket by ticket would create them (each ticket's requester, its
    /// assignee, its replies' authors), each recorded as added by the importer.
    static func resolvePeople(_ tx: PostgresTransaction, _ drafts: [ImportDraft],
                              actorID: Int64) throws -> [String: (id: Int64, isStaff: Bool)] {
        var named: [ImportPerson] = []
        var seen: Set<String> = []
        for d in drafts {
            for p in [d.requester] + (d.assignee.map { [$0] } ?? []) + d.replies.map(\.author) where seen.insert(p.email.lowercased()).inserted {
                named.append(p)
            }
        }
        var people: [String: (id: Int64, isStaff: Bool)] = [:]
        // Matched by PostgreSQL's lower() (the unique index's), keyed by the batch's own spelling;
        // an address holds no newline (Validation refuses one), so it separates them.
        for row in try tx.rows("""
            SELECT given, u.id, u.role FROM unnest(string_to_array($1, E'\\n')) AS given
            JOIN desk_user u ON lower(u.email) = lower(given)
            """, .text(named.map { $0.email.lowercased() }.joined(separator: "\n"))) {
            people[try row.text(0)] = (try row.int(1), (Role(rawValue: try row.text(2)) ?? .user).isStaff)
        }
        // The missing ones in one statement (one round trip each cost ~40 % of a new desk's
        // import with 2,000 people), in the order named, so their ids are as one by one; one that
        // another host adds meanwhile is read as ticket by ticket would (`ensureUser`).
        let missing = named.filter { people[$0.email.lowercased()] == nil }
        var created: [String: Int64] = [:]
        if !missing.isEmpty {
            let list = missing.map { ["email": $0.email, "name": $0.name, "role": $0.role.rawValue] }
            let json = String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self)
            for row in try tx.rows("""
                INSERT INTO desk_user (email, name, role, createdAt)
                SELECT p.email, p.name, p.role, $2
                FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (email text, name text, role text)) WITH ORDINALITY AS p(email, name, role, n)
                ORDER BY p.n
                ON CONFLICT ((lower(email))) DO NOTHING RETURNING id, email
                """, .text(json), .timestamp(tx.now)) {
                created[try row.text(1)] = try row.int(0)
            }
        }
        var added = PostgresCopyText()
        for p in missing {
            let id = try created[p.email] ?? PostgresStore.ensureUser(tx, email: p.email, name: p.name, role: p.role)
            people[p.email.lowercased()] = (id, p.role.isStaff)
            added.text(nil); added.int(actorID); added.text(AuditEvent.Action.userAdded.rawValue); added.text(p.email)
            added.text(nil); added.text(p.role.rawValue); added.bool(false); try added.timestamp(tx.now)
            added.endRow()
        }
        if added.rows > 0 {
            try tx.session.copy(into: "audit_event", columns: [
                "ticketnumber", "actorid", "action", "field", "oldvalue", "newvalue", "isinternal", "createdat",
            ], rows: added.bytes)
        }
        return people
    }

    /// Each ticket's number: the one the file gives (its year's counter was moved past it), else
    /// the next of the year it was created in, counted on for the whole batch in one statement
    /// per year (years in order on every host, the rows locked until the batch commits).
    static func number(_ tx: PostgresTransaction, _ drafts: [ImportDraft]) throws -> [TicketNumber] {
        let years = drafts.map { d -> Int? in
            d.number == nil ? (CivilDate.utcYear(of: d.createdAt.date) ?? Calendar.utc.component(.year, from: d.createdAt.date)) : nil
        }
        var wanted: [Int: Int] = [:]
        for year in years.compactMap({ $0 }) {
            try TicketNumber.checkAssignable(year: year, sequence: 1)
            wanted[year, default: 0] += 1
        }
        var next: [Int: Int] = [:]
        for (year, count) in wanted.sorted(by: { $0.key < $1.key }) {
            guard let last = try tx.value("""
                INSERT INTO ticket_sequence (year, lastNumber) VALUES ($1, $2)
                ON CONFLICT (year) DO UPDATE SET lastNumber = ticket_sequence.lastNumber + excluded.lastNumber RETURNING lastNumber
                """, .int(Int64(year)), .int(Int64(count)))?.int
            else { throw SupportError.internalError("the ticket counter of \(year) has no value") }
            next[year] = Int(last) - count + 1
        }
        return try zip(drafts, years).map { d, year in
            if let given = d.number { return given }
            let year = year!
            let sequence = next[year]!
            next[year] = sequence + 1
            try TicketNumber.checkAssignable(year: year, sequence: sequence)
            return TicketNumber(year: year, sequence: sequence)
        }
    }

    /// Every reply's id in the batch's order, as SQLite's importer numbers them, one after the
    /// other: the id the file gives unless a reply has it already (in the database, or earlier in
    /// the file, kept or new), else the identity's next, which is past every id kept before it
    /// (SQLite: the largest so far plus one). New ids are drawn in runs, one round trip a run, and
    /// the identity is moved past the kept ids only before a run that follows them: a file whose
    /// replies all give ids, or none, costs one round trip.
    static func replyIDs(_ tx: PostgresTransaction, _ drafts: [ImportDraft], asBlock: Bool) throws -> [Int64] {
        let wanted = drafts.flatMap { $0.replies.compactMap(\.id) }
        var taken: Set<Int64> = []
        if !wanted.isEmpty {
            taken = Set(try tx.rows("SELECT id FROM response WHERE id = ANY(string_to_array($1, ',')::bigint[])",
                                    .text(wanted.map(String.init).joined(separator: ","))).map { try $0.int(0) })
        }
        var ids: [Int64] = []
        var assigned: Set<Int64> = []
        var waiting: [Int] = []       // where in `ids` a reply waits for a new id
        var keptPast: Int64?          // the largest id kept since the identity last moved
        func drawWaiting() throws {
            guard !waiting.isEmpty else { return }
            if let past = keptPast { try PostgresStore.moveReplyIdentity(tx, past: past) }
            keptPast = nil
            let drawn = try drawIDs(tx, table: "response", count: waiting.count, avoiding: assigned, asBlock: asBlock)
            for (index, id) in zip(waiting, drawn) {
                ids[index] = id
                assigned.insert(id)
            }
            waiting.removeAll(keepingCapacity: true)
        }
        for reply in drafts.lazy.flatMap(\.replies) {
            if let id = reply.id, !taken.contains(id) {
                // (an earlier reply's new id may be this one: those are drawn first)
                try drawWaiting()
                if assigned.insert(id).inserted {
                    ids.append(id)
                    keptPast = max(keptPast ?? id, id)
                    continue
                }
            }
            waiting.append(ids.count)
            ids.append(0)
        }
        try drawWaiting()
        if let past = keptPast { try PostgresStore.moveReplyIdentity(tx, past: past) }
        return ids
    }

    /// `count` new ids of `table`'s identity, none of them in `avoiding` (ids the batch keeps
    /// from the file, which the identity may not have passed yet). `asBlock`: the sequence moved
    /// on by `count` in one step, for a transaction that holds the table alone (nobody else can
    /// draw from it in between); else one `nextval` each, as other hosts may draw at once.
    static func drawIDs(_ tx: PostgresTransaction, table: String, count: Int, avoiding: Set<Int64>,
                        asBlock: Bool = false) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(count)
        while ids.count < count {
            let wanted = Int64(count - ids.count)
            if asBlock {
                let last = try tx.value("""
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), nextval(pg_get_serial_sequence('\(table)', 'id')) + $1 - 1)
                    """, .int(wanted))?.int
                guard let last else { throw SupportError.internalError("the \(table) sequence has no value") }
                ids += ((last - wanted + 1)...last).filter { !avoiding.contains($0) }
                continue
            }
            let drawn = try tx.rows("SELECT nextval(pg_get_serial_sequence('\(table)', 'id')) FROM generate_series(1, $1)",
                                    .int(wanted))
            ids += try drawn.map { try $0.int(0) }.filter { !avoiding.contains($0) }
        }
        return ids
    }
}
