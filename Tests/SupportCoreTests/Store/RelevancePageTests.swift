import Foundation
import GRDB
import Testing
@testable import SupportCore

/// `--sort relevance` by the ranked read (`AppDatabase.relevancePage`: bm25 computed by
/// `support_rank` in C, document sizes read beside the hits, a bounded heap) gives FTS5's own
/// `bm25()` scores to the last bit and today's pages (SQLite's `ORDER BY bm25(…), id DESC`), on
/// many random searches of one and two words, with and without filters, `--reverse`, deep pages;
/// and the same on two cores (the second connection on a file).
@Suite("list: relevance pages are FTS5's bm25 order")
struct RelevancePageTests {
    typealias Seeded = BitmapPlanTests.Seeded

    /// Every hit's score from FTS5's bm25() (10 for the subject, 1 for the text and the notes),
    /// in its page order.
    static func fts5Order(_ db: Database, index: String, match: String, reverse: Bool) throws -> [(id: Int64, score: Double)] {
        try Row.fetchAll(db, sql: "SELECT rowid, bm25(\(index), 10.0, 1.0, 1.0) AS score FROM \(index) WHERE \(index) MATCH ?"
                            + " ORDER BY score \(reverse ? "DESC" : "ASC"), rowid DESC", arguments: [match])
            .map { (id: $0[0], score: $0[1]) }
    }

    static func randomSearch(_ random: inout Seeded) -> String {
        (0..<Int.random(in: 1...2, using: &random)).map { _ in BitmapPlanTests.words.randomElement(using: &random)! }.joined(separator: " ")
    }

    @Test func theRankedScoresAreFTS5sBm25() throws {
        // Given the desk of the bitmap plan's tests (ties of score among its short texts)
        let fixture = try BitmapPlanTests.desk()
        var random = Seeded(state: 25)
        var compared = 0
        try fixture.database.read { db in
            for _ in 0..<60 {
                let search = Self.randomSearch(&random)
                let match = try #require(AppDatabase.searchMatch(search))
                for index in [AppDatabase.staffSearchIndex, AppDatabase.publicSearchIndex] {
                    for reverse in [false, true] {
                        // When every hit is ranked, and only the first few
                        try AppDatabase.ensureRankFunction(db)
                        let expected = try Self.fts5Order(db, index: index, match: match, reverse: reverse)
                        let all = try AppDatabase.rankedHits(db, index: index, search: search, matching: nil, reverse: reverse,
                                                             keep: expected.count + 3)
                        let few = try AppDatabase.rankedHits(db, index: index, search: search, matching: nil, reverse: reverse, keep: 5)
                        // Then the scores are bm25's bit for bit, in the same order, and the count is the hits'
                        #expect(all.hits == expected.count)
                        #expect(all.entries.map(\.id) == expected.map(\.id), "\(search) \(index) \(reverse)")
                        #expect(all.entries.map(\.score.bitPattern) == expected.map(\.score.bitPattern), "\(search) \(index) \(reverse)")
                        #expect(few.entries.map(\.id) == Array(expected.prefix(5).map(\.id)))
                        compared += expected.count
                    }
                }
            }
        }
        #expect(compared > 10_000, "\(compared)")
    }

    @Test func relevancePagesAreTodays() throws {
        // Given the desk, and many relevance lists: one or two words, filters or none, --reverse, pages
        let fixture = try BitmapPlanTests.desk()
        var random = Seeded(state: 2_000_000)
        var nonEmpty = 0
        for round in 0..<500 {
            var q = BitmapPlanTests.randomQuery(&random)
            q.search = Self.randomSearch(&random)
            q.sort = .relevance
            if Bool.random(using: &random) {
                // (no filter at all: the ranked read of every hit)
                q.statuses = [.open, .inProgress, .resolved, .closed]
                q.priorities = []
                q.categories = []
                q.assignee = nil
                q.since = nil
                q.until = nil
            }
            let user = [fixture.staff, fixture.admin, fixture.requester].randomElement(using: &random)!
            guard let filter = try fixture.desk(user).filter(for: q) else { continue }
            // When today's plan (SQLite's bm25 order) and the ranked read list it
            let todays = try fixture.database.tickets(matching: filter, includeInternal: user.role != .user, plan: .todays)
            let ranked = try fixture.database.tickets(matching: filter, includeInternal: user.role != .user, plan: .bitmap(walk: nil))
            // Then the same total and the same tickets in the same order
            #expect(ranked.total == todays.total, "round \(round): \(q)")
            #expect(ranked.tickets.map(\.ticketNumber) == todays.tickets.map(\.ticketNumber), "round \(round): \(q)")
            if !todays.tickets.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 200, "\(nonEmpty)")
    }

    /// The fixture's desk copied into a file of its own (the second connection of the ranked
    /// read opens the file): the file's database and its directory, for the caller to remove.
    static func onFile(_ fixture: DeskFixture) throws -> (AppDatabase, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rank-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("desk.db").path
        try fixture.database.writer.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
        return (try AppDatabase.open(path: path, createDirectory: false), directory)
    }

    @Test func twoCoresRankAsOne() throws {
        // Given the desk in a file (the second connection opens the file)
        let fixture = try BitmapPlanTests.desk()
        let (file, directory) = try Self.onFile(fixture)
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = Seeded(state: 7)
        try file.read { db in
            try AppDatabase.ensureRankFunction(db)
            let maxID = try Int64.fetchOne(db, sql: "SELECT max(id) FROM ticket") ?? 0
            for round in 0..<40 {
                let search = Self.randomSearch(&random)
                let reverse = Bool.random(using: &random)
                let keep = [1, 7, 25, 100, 400].randomElement(using: &random)!
                // (half the time among a filter's tickets: a bitmap of every other id)
                var matching: TicketBitmap?
                if Bool.random(using: &random) {
                    var bitmap = TicketBitmap(maxID: maxID)
                    try bitmap.fill(db, sql: "SELECT id FROM ticket WHERE id % 2 = ?", arguments: [round % 2])
                    matching = bitmap
                }
                // When one connection and two rank it
                let one = try AppDatabase.rankedHits(db, index: AppDatabase.staffSearchIndex, search: search, matching: matching,
                                                     reverse: reverse, keep: keep, parallel: false)
                let two = try AppDatabase.rankedHits(db, index: AppDatabase.staffSearchIndex, search: search, matching: matching,
                                                     reverse: reverse, keep: keep, parallel: true)
                // Then the same hits, ids and scores
                #expect(two.bothCores && !one.bothCores)
                #expect(two.hits == one.hits && two.hits > 0, "\(search)")
                #expect(two.entries.map(\.id) == one.entries.map(\.id), "\(search) \(reverse) \(keep)")
                #expect(two.entries.map(\.score.bitPattern) == one.entries.map(\.score.bitPattern))
            }
        }
    }

    @Test func aSearchOfManyWordsRanksAsFTS5() throws {
        // Given tickets holding 18 words (past `maxSearchPatterns`: the last pattern holds several
        // phrases), in a file
        let fixture = try BitmapPlanTests.desk()
        let words = (1...18).map { "w\($0)x" }
        for i in 0..<6 {
            _ = try fixture.openTicket(by: fixture.staff, subject: words.prefix(3 + i).joined(separator: " "),
                                       message: words.joined(separator: " ") + String(repeating: " toner", count: i))
        }
        let (file, directory) = try Self.onFile(fixture)
        defer { try? FileManager.default.removeItem(at: directory) }
        let search = words.joined(separator: " ")
        let match = try #require(AppDatabase.searchMatch(search))
        try file.read { db in
            try AppDatabase.ensureRankFunction(db)
            for reverse in [false, true] {
                // When one connection and two rank them
                let expected = try Self.fts5Order(db, index: AppDatabase.staffSearchIndex, match: match, reverse: reverse)
                for parallel in [false, true] {
                    let ranked = try AppDatabase.rankedHits(db, index: AppDatabase.staffSearchIndex, search: search, matching: nil,
                                                            reverse: reverse, keep: 10, parallel: parallel)
                    // Then both are FTS5's bm25, bit for bit
                    #expect(expected.count == 6 && ranked.hits == 6 && ranked.bothCores == parallel)
                    #expect(ranked.entries.map(\.id) == expected.map(\.id))
                    #expect(ranked.entries.map(\.score.bitPattern) == expected.map(\.score.bitPattern))
                }
            }
        }
    }

    @Test func wordsInHalfTheTicketsRankWithoutCounts() throws {
        // Given a desk where "toner" is in most tickets (and "toner jams" in fewer than half), in a file
        let fixture = try BitmapPlanTests.desk()
        for i in 0..<300 {
            _ = try fixture.openTicket(by: fixture.staff, subject: "Toner \(i)", message: String(repeating: "toner ", count: 1 + i % 4) + "grey")
        }
        let (file, directory) = try Self.onFile(fixture)
        defer { try? FileManager.default.removeItem(at: directory) }
        try file.read { db in
            try AppDatabase.ensureRankFunction(db)
            let tickets = try Int.fetchOne(db, sql: "SELECT count(*) FROM ticket") ?? 0
            for (search, common) in [("toner", true), ("toner jams", false), ("grey toner", true), ("heron", false)] {
                let match = try #require(AppDatabase.searchMatch(search))
                for reverse in [false, true] {
                    let expected = try Self.fts5Order(db, index: AppDatabase.staffSearchIndex, match: match, reverse: reverse)
                    #expect((expected.count * 2 >= tickets) == common, "\(search): \(expected.count) of \(tickets)")
                    // When two cores rank them taking every idf to be 1e-6 (and the guess left to a slice)
                    for assume in [true, nil] as [Bool?] {
                        let ranked = try AppDatabase.rankedHits(db, index: AppDatabase.staffSearchIndex, search: search, matching: nil,
                                                                reverse: reverse, keep: 30, parallel: true, assumeCommon: assume)
                        // Then the assumption is kept only when the hits are half the tickets, and the
                        // scores are bm25's either way
                        if assume == true { #expect(ranked.commonWords == common, "\(search)") }
                        #expect(ranked.bothCores && ranked.hits == expected.count)
                        #expect(ranked.entries.map(\.id) == Array(expected.prefix(30).map(\.id)), "\(search) \(reverse)")
                        #expect(ranked.entries.map(\.score.bitPattern) == Array(expected.prefix(30).map(\.score.bitPattern)))
                    }
                }
            }
        }
    }

    @Test func denseHitsRankAsFTS5() throws {
        // Given 9,000 more tickets in a file where "toner" is in every ticket, "printer" in the
        // first and last thirds only, "cable" in one of nine, texts of 1 to 40 words (subjects
        // too), and every seventh deleted (ids with no document): the ranked read reads the
        // lengths of dense hits by stretches of ids and of sparse ones by its cursor
        let fixture = try BitmapPlanTests.desk()
        var random = Seeded(state: 41)
        try fixture.database.writer.write { db in
            let first = try Row.fetchOne(db, sql: "SELECT submittedBy, createdAt FROM ticket ORDER BY id LIMIT 1")!
            for i in 0..<9_000 {
                func text(_ count: Int) -> String {
                    (0..<count).map { _ in BitmapPlanTests.words.randomElement(using: &random)! }.joined(separator: " ")
                }
                var message = "toner " + text(Int.random(in: 0...39, using: &random))
                if i < 3_000 || i >= 6_000 { message += " printer" }
                if i % 9 == 0 { message += " cable" }
                try db.execute(sql: """
                    INSERT INTO ticket (ticketNumber, subject, message, category, priority, status, submittedBy, createdAt, updatedAt)
                    VALUES (?, ?, ?, 'bug-report', 2, 0, ?, ?, ?)
                    """, arguments: ["ST-2031-\(100_000 + i)", "Bulk \(i) " + text(Int.random(in: 0...3, using: &random)), message,
                                     first[0] as Int64, first[1] as DatabaseValue, first[1] as DatabaseValue])
            }
            try db.execute(sql: "DELETE FROM ticket WHERE id % 7 = 3 AND ticketNumber LIKE 'ST-2031-%'")
        }
        let (file, directory) = try Self.onFile(fixture)
        defer { try? FileManager.default.removeItem(at: directory) }
        try file.read { db in
            try AppDatabase.ensureRankFunction(db)
            let maxID = try Int64.fetchOne(db, sql: "SELECT max(id) FROM ticket") ?? 0
            var odd = TicketBitmap(maxID: maxID)
            try odd.fill(db, sql: "SELECT id FROM ticket WHERE id % 2 = 1", arguments: [])
            // (as built: a decision every 4,096 hits, stretches of 16,384 ids; and small, so that
            // the read switches between stretches and cursor many times on the way)
            for (stretch, every) in [(0, 0), (64, 32)] as [(Int64, Int64)] {
                AppDatabase.tuneRankedRead(stretchIDs: stretch, decideEvery: every)
                defer { AppDatabase.tuneRankedRead(stretchIDs: 0, decideEvery: 0) }
                for search in ["toner", "printer", "toner printer", "cable", "printer cable", "heron"] {
                    let match = try #require(AppDatabase.searchMatch(search))
                    for reverse in [false, true] {
                        let all = try Self.fts5Order(db, index: AppDatabase.staffSearchIndex, match: match, reverse: reverse)
                        if search == "toner" { #expect(all.count > 7_500) }
                        for (matching, expected) in [(nil, all), (odd, all.filter { $0.id % 2 == 1 })] as [(TicketBitmap?, [(id: Int64, score: Double)])] {
                            for parallel in [false, true] {
                                // When it ranks them all, and a page's worth
                                for keep in [expected.count, 25] {
                                    let ranked = try AppDatabase.rankedHits(db, index: AppDatabase.staffSearchIndex, search: search,
                                                                            matching: matching, reverse: reverse, keep: keep, parallel: parallel)
                                    // Then they are FTS5's bm25, bit for bit, in its order
                                    let label = "\(search) \(reverse) \(matching != nil) \(parallel) \(keep) \(stretch)"
                                    #expect(ranked.hits == expected.count, "\(label)")
                                    #expect(ranked.entries.map(\.id) == expected.prefix(keep).map(\.id), "\(label)")
                                    #expect(ranked.entries.map(\.score.bitPattern) == expected.prefix(keep).map(\.score.bitPattern), "\(label)")
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
