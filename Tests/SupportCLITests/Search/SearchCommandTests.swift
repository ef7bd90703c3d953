import Foundation
import Testing

/// `ticket list --search` (and `ticket export --search`) through the real binary: recall over
/// subject, message and replies with stemming, who may find what, and hostile search text; on
/// each engine (PostgreSQL's documents are made of SQLite's tokens, so the answers are the same).
@Suite("ticket list --search")
struct SearchCommandTests {
    static let jane = "jane@example.test"
    static let omar = "omar@example.test"
    static let sam = ImportedPerson.staff("sam@example.test", name: "Sam")

    /// Jane's and Omar's tickets, newest first by number: each search word lives in one place only.
    static func dataSet() -> [ImportLine] {
        let day = ImportLine.date("2025-03-01T09:00:00Z")
        func at(_ hours: Double) -> Date { day.addingTimeInterval(hours * 3600) }
        return [
            // The word is in the subject only
            ImportLine(number: "ST-2025-001", subject: "Dashboard crashes at startup", message: "Nothing else to say.",
                       createdAt: at(1)),
            // In the message only
            ImportLine(number: "ST-2025-002", subject: "Printing", message: "The print service crashed twice today.",
                       replies: [ImportedReply(message: "Restarted the spooler.", by: sam, createdAt: at(2.5))],
                       createdAt: at(2)),
            // In a public reply only
            ImportLine(number: "ST-2025-003", subject: "Slow laptop", message: "It takes ages to boot.",
                       replies: [ImportedReply(message: "Now the updater keeps crashing as well.", by: .requester(jane), createdAt: at(3.5))],
                       createdAt: at(3)),
            // In an internal note only, on Jane's ticket
            ImportLine(number: "ST-2025-004", subject: "Invoice question", message: "Where is my invoice?",
                       replies: [ImportedReply(message: "Suspect a crash in billing; zebra code path.", by: sam, isInternal: true,
                                               createdAt: at(4.5))],
                       createdAt: at(4)),
            // Omar's ticket, with every word in its subject, message and a public reply
            ImportLine(number: "ST-2025-005", subject: "Mobile app crashes", message: "Crashing on zebra screen.",
                       requester: .requester(omar),
                       replies: [ImportedReply(message: "Crashed again.", by: sam, createdAt: at(5.5))], createdAt: at(5)),
            // A ticket with none of the words
            ImportLine(number: "ST-2025-006", subject: "Password reset", message: "Please reset my password.", createdAt: at(6)),
        ]
    }

    static func seeded(_ engine: Engine) throws -> Sandbox {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.importTickets(dataSet())
        return sandbox
    }

    @Test(arguments: Engine.available) func staffFindWordsInSubjectMessageRepliesAndNotesWithStemming(engine: Engine) throws {
        // Given tickets holding "crashes", "crashed", "crashing" and "crash" in different places
        let sandbox = try Self.seeded(engine)
        // When staff search for each form of the word
        for word in ["crashes", "crashed", "crashing", "crash", "CRASH"] {
            let found = try sandbox.list(["--search", word])
            // Then the porter stemmer finds every form in subject, message, public reply and internal note,
            // newest first (the default order), and only those
            #expect(found.numbers == ["ST-2025-005", "ST-2025-004", "ST-2025-003", "ST-2025-002", "ST-2025-001"], "\(word)")
            #expect(found.pagination == ["total": 5, "page": 1, "limit": 25, "pages": 1], "\(word)")
        }
    }

    @Test(arguments: Engine.available) func eachPlaceIsSearched(engine: Engine) throws {
        // Given the data set
        let sandbox = try Self.seeded(engine)
        // When staff search for words found in one place each
        // Then the ticket holding the word is found, wherever it is
        #expect(try sandbox.list(["--search", "dashboard"]).numbers == ["ST-2025-001"])   // subject
        #expect(try sandbox.list(["--search", "twice"]).numbers == ["ST-2025-002"])       // message
        #expect(try sandbox.list(["--search", "updater"]).numbers == ["ST-2025-003"])     // public reply
        #expect(try sandbox.list(["--search", "billing"]).numbers == ["ST-2025-004"])     // internal note
        // And every word must occur, in any of the places
        #expect(try sandbox.list(["--search", "slow updater"]).numbers == ["ST-2025-003"])
        #expect(try sandbox.list(["--search", "slow dashboard"]).numbers == [])
    }

    @Test(arguments: Engine.available) func searchCombinesWithFiltersAndPages(engine: Engine) throws {
        // Given the data set
        let sandbox = try Self.seeded(engine)
        // When a search is narrowed by requester, then paged
        let omars = try sandbox.list(["--search", "crash", "--requester", Self.omar])
        let page2 = try sandbox.list(["--search", "crash", "--limit", "2", "--page", "2"])
        let oldestFirst = try sandbox.list(["--search", "crash", "--reverse", "--limit", "2"])
        // Then filters and search must all match, and the total counts every hit
        #expect(omars.numbers == ["ST-2025-005"])
        #expect(page2.numbers == ["ST-2025-003", "ST-2025-002"])
        #expect(page2.pagination == ["total": 5, "page": 2, "limit": 2, "pages": 3])
        #expect(oldestFirst.numbers == ["ST-2025-001", "ST-2025-002"])
    }

    @Test(arguments: Engine.available) func aRequesterFindsOnlyTheirOwnTicketsAndNeverThroughNotes(engine: Engine) throws {
        // Given Jane's tickets (one with an internal note saying "zebra") and Omar's ("zebra" in his message)
        let sandbox = try Self.seeded(engine)
        // When Jane searches for words that are in her internal note and in Omar's ticket
        let zebra = try sandbox.list(["--search", "zebra"], as: Self.jane)
        let billing = try sandbox.list(["--search", "billing"], as: Self.jane)
        let crash = try sandbox.list(["--search", "crash"], as: Self.jane)
        let omarsOnly = try sandbox.list(["--search", "mobile", "--requester", Self.omar], as: Self.jane)
        // Then she finds neither the note nor Omar's ticket, and the counts say nothing about them
        #expect(zebra.numbers == [] && zebra.pagination["total"] == 0)
        #expect(billing.numbers == [] && billing.pagination["total"] == 0)
        #expect(crash.numbers == ["ST-2025-003", "ST-2025-002", "ST-2025-001"])
        #expect(crash.pagination["total"] == 3)
        #expect(omarsOnly.numbers == [] && omarsOnly.pagination["total"] == 0)
        // And she does find her ticket through a public reply by staff
        #expect(try sandbox.list(["--search", "spooler"], as: Self.jane).numbers == ["ST-2025-002"])
        // And a hit on her own ticket never carries the internal note
        let invoice = try sandbox.list(["--search", "invoice"], as: Self.jane)
        #expect(invoice.numbers == ["ST-2025-004"])
        #expect((invoice.tickets.first?["responses"] as? [Any])?.isEmpty == true)
        // While staff find the note, and Omar finds only his own ticket
        #expect(try sandbox.list(["--search", "zebra"]).numbers == ["ST-2025-005", "ST-2025-004"])
        #expect(try sandbox.list(["--search", "zebra"], as: "sam@example.test").numbers == ["ST-2025-005", "ST-2025-004"])
        #expect(try sandbox.list(["--search", "crash"], as: Self.omar).numbers == ["ST-2025-005"])
    }

    @Test(arguments: Engine.available) func exportSearchFollowsTheSameRules(engine: Engine) throws {
        // Given the data set
        let sandbox = try Self.seeded(engine)
        // When Jane and staff export with --search
        let janes = try sandbox.export(["--search", "zebra"], as: Self.jane)
        let janesCrash = try sandbox.export(["--search", "crash"], as: Self.jane)
        let staff = try sandbox.export(["--search", "zebra"], as: "sam@example.test")
        // Then the export path finds what the list path finds: no notes, no other people's tickets for Jane
        #expect(janes.lines.isEmpty)
        #expect(janesCrash.lines.compactMap { $0["ticketNumber"] as? String } == ["ST-2025-001", "ST-2025-002", "ST-2025-003"])
        #expect(staff.lines.compactMap { $0["ticketNumber"] as? String } == ["ST-2025-004", "ST-2025-005"])
    }

    static let hostile: [String] = [
        "\"foo", "foo\"", "\"", "\"\"", "AND OR", "AND", "OR NOT", "NOT crash", "(", ")", "((crash", "*", "crash*", "-x", "col:x",
        "subject:crash", "message:zebra", "NEAR(a b)", "NEAR(crash zebra, 2)", "^", "^crash", "'", "';--", "' OR 1=1 --",
        "crash'); DROP TABLE ticket; --", "{subject message}: crash", "+", "a + b", ":", "\\", "%", "_", "🙂", "💥 crash 💥",
        "é", "Ünïcödé crash", "中文", "\u{200B}", "\t",
    ]

    @Test(arguments: Engine.available) func hostileSearchTextNeverErrorsNorShowsSQL(engine: Engine) throws {
        // Given the data set
        let sandbox = try Self.seeded(engine)
        // When staff and a requester search with text full of FTS5 and SQL syntax
        let tenThousand = String(repeating: "crash ", count: 1_667)
        let longWord = String(repeating: "x", count: 10_000)
        let unbalanced = String(repeating: "(\"", count: 5_000)
        let distinct = (0..<1_500).map { "w\($0)" }.joined(separator: " ")
        let texts = Self.hostile + [tenThousand, longWord, unbalanced, distinct]
        for (index, text) in texts.enumerated() {
            // (the requester's search differs only in what it may match: every third text is enough)
            for actor in index % 3 == 0 ? [nil, Self.jane] : [nil] {
                let result = try sandbox.run(["ticket", "list", "--json", "--search=" + text], as: actor)
                // Then the command succeeds with a list, prints nothing on stderr, and no SQL anywhere
                let shown = String(text.prefix(40))
                #expect(result.status == 0, "\(shown): \(result)")
                #expect(result.err == "", "\(shown): \(result)")
                for leak in ["SQL", "sqlite", "fts5", "MATCH", "syntax error", "SELECT", "tsquery", "tsvector"] {
                    #expect(!result.out.contains(leak) || text.contains(leak), "\(shown) leaks \(leak)")
                }
                let root = try result.json()
                #expect(root["tickets"] is [Any] && root["pagination"] is [String: Any], "\(shown)")
            }
        }
        // And the database is untouched
        #expect(try sandbox.list([]).pagination["total"] == 6)
    }

    @Test(arguments: Engine.available) func syntaxIsTakenAsPlainWords(engine: Engine) throws {
        // Given the data set
        let sandbox = try Self.seeded(engine)
        // When search text carries FTS5 syntax around real words
        // Then the syntax is ignored and the words are searched for, all of them
        #expect(try sandbox.list(["--search", "\"dashboard"]).numbers == ["ST-2025-001"])
        #expect(try sandbox.list(["--search", "(dashboard)"]).numbers == ["ST-2025-001"])
        #expect(try sandbox.list(["--search", "dashboard*"]).numbers == ["ST-2025-001"])
        #expect(try sandbox.list(["--search", "subject:dashboard"]).numbers == [], "'subject' is a word that must occur too")
        #expect(try sandbox.list(["--search", "dashboard OR password"]).numbers == [], "OR is a word, not an operator")
        #expect(try sandbox.list(["--search=-dashboard"]).numbers == ["ST-2025-001"], "a leading - does not negate")
        #expect(try sandbox.list(["--search", "💥 dashboard 💥"]).numbers == ["ST-2025-001"], "an emoji is no word")
        #expect(try sandbox.list(["--search", "Dashboard DASHBOARD dashboard"]).numbers == ["ST-2025-001"])
    }

    @Test(arguments: Engine.available) func longSearchesStillFindTheirTicket(engine: Engine) throws {
        // Given a ticket whose message holds twenty distinct words, the last in a reply too
        let sandbox = try Sandbox(engine: engine)
        let words = (1...20).map { "word\($0)x" }
        try sandbox.importTickets([
            ImportLine(number: "ST-2025-001", subject: "Many words", message: words.joined(separator: " "),
                       replies: [ImportedReply(message: "kangaroo", by: Self.sam, createdAt: ImportLine.date("2025-01-01T00:00:00Z"))],
                       createdAt: ImportLine.date("2025-01-01T00:00:00Z")),
            ImportLine(number: "ST-2025-002", subject: "Few words", message: words.prefix(10).joined(separator: " "),
                       createdAt: ImportLine.date("2025-01-01T00:00:00Z")),
        ])
        // When all twenty words are searched for, with a word from the reply first, and with one word missing
        let all = try sandbox.list(["--search", "kangaroo " + words.joined(separator: " ")])
        let missing = try sandbox.list(["--search", (words + ["absentword"]).joined(separator: " ")])
        // Then the ticket holding them all is found, and a word found nowhere finds nothing
        #expect(all.numbers == ["ST-2025-001"])
        #expect(missing.numbers == [])
    }

    @Test(arguments: Engine.available) func textWithoutWordsGivesAnEmptyResult(engine: Engine) throws {
        // Given a database with tickets
        let sandbox = try Self.seeded(engine)
        for text in ["", " ", "   \t ", "\"\"", "***", "()", "-- --", "^", "🙂🙂", "'", ":", "…", "\u{200B}", "-"] {
            // When the search text holds no word at all
            let found = try sandbox.list(text.hasPrefix("-") ? ["--search=" + text] : ["--search", text])
            // Then the result is empty, not every ticket and not an error
            #expect(found.numbers == [], "\(text.debugDescription)")
            #expect(found.pagination == ["total": 0, "page": 1, "limit": 25, "pages": 0], "\(text.debugDescription)")
        }
    }

    @Test(arguments: Engine.available) func searchFollowsEditsAndDeletions(engine: Engine) throws {
        // Given the data set
        let sandbox = try Self.seeded(engine)
        // When a subject is changed, a reply is added, and a ticket is deleted
        try sandbox.succeed(["ticket", "update", "ST-2025-006", "--subject", "Giraffe in the server room"])
        try sandbox.succeed(["respond", "ST-2025-002", "--message", "Rebooted the okapi service.", "--no-notify"])
        try sandbox.succeed(["ticket", "delete", "ST-2025-001", "--yes"])
        // Then the index follows: the new words are found, the old ones and the deleted ticket are not
        #expect(try sandbox.list(["--search", "giraffe"]).numbers == ["ST-2025-006"])
        #expect(try sandbox.list(["--search", "password reset"]).numbers == ["ST-2025-006"], "the message still has them")
        #expect(try sandbox.list(["--search", "okapi"]).numbers == ["ST-2025-002"])
        #expect(try sandbox.list(["--search", "dashboard"]).numbers == [])
    }
}
