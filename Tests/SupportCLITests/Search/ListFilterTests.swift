import Foundation
import Testing

/// `ticket list` filters, sort orders and pagination through the real binary, over ten imported
/// tickets whose every timestamp is chosen here.
@Suite("ticket list filters, sorting and pagination")
struct ListFilterTests {
    static let jane = ImportedPerson.requester("jane@example.test")
    static let omar = ImportedPerson.requester("omar@example.test")
    static let lee = ImportedPerson.requester("lee@example.test")
    static let sam = ImportedPerson.staff("sam@example.test", name: "Sam")
    static let ada = ImportedPerson.admin("ada@example.test", name: "Ada")

    /// | # | created | updated | status | priority | category | requester | assignee |
    /// |---|---------|---------|--------|----------|----------|-----------|----------|
    /// | 1 | 01-05 | 02-20 | open | low | technical-issue | jane | — |
    /// | 2 | 01-10 | 01-11 | in-progress | high | bug-report | omar | sam |
    /// | 3 | 01-15 | 03-01 | resolved | critical | account-issue | jane | ada |
    /// | 4 | 01-20 | 01-21 | closed | medium | feature-request | lee | sam |
    /// | 5 | 01-25 | 02-01 | open | critical | bug-report | omar | — |
    /// | 6 | 02-01 | 02-10 | in-progress | low | general-inquiry | jane | sam |
    /// | 7 | 02-05 | 02-06 | open | high | technical-issue | lee | ada |
    /// | 8 | 02-10 | 02-15 | resolved | medium | bug-report | jane | — |
    /// | 9 | 02-15 | 02-16 | open | medium | account-issue | omar | sam |
    /// |10 | 02-15 (same instant as 9) | 02-17 | closed | low | feature-request | lee | — |
    /// All in 2025 at 10:00Z.
    static func dataSet() -> [ImportLine] {
        typealias Row = (created: String, updated: String, status: String, priority: String, category: String,
                         requester: ImportedPerson, assignee: ImportedPerson?)
        let rows: [Row] = [
            ("01-05", "02-20", "open", "low", "technical-issue", jane, nil),
            ("01-10", "01-11", "in-progress", "high", "bug-report", omar, sam),
            ("01-15", "03-01", "resolved", "critical", "account-issue", jane, ada),
            ("01-20", "01-21", "closed", "medium", "feature-request", lee, sam),
            ("01-25", "02-01", "open", "critical", "bug-report", omar, nil),
            ("02-01", "02-10", "in-progress", "low", "general-inquiry", jane, sam),
            ("02-05", "02-06", "open", "high", "technical-issue", lee, ada),
            ("02-10", "02-15", "resolved", "medium", "bug-report", jane, nil),
            ("02-15", "02-16", "open", "medium", "account-issue", omar, sam),
            ("02-15", "02-17", "closed", "low", "feature-request", lee, nil),
        ]
        return rows.enumerated().map { index, row in
            let created = ImportLine.date("2025-\(row.created)T10:00:00Z")
            let updated = ImportLine.date("2025-\(row.updated)T10:00:00Z")
            let done = row.status == "resolved" || row.status == "closed"
            return ImportLine(
                number: n(index + 1), subject: "Ticket \(index + 1)", category: row.category, priority: row.priority,
                status: row.status, requester: row.requester, assignee: row.assignee, createdAt: created, updatedAt: updated,
                resolvedAt: done ? updated : nil, closedAt: row.status == "closed" ? updated : nil)
        }
    }

    static func n(_ sequence: Int) -> String { "ST-2025-" + String(format: "%03d", sequence) }
    static func numbers(_ sequences: [Int]) -> [String] { sequences.map(n) }

    static func seeded() throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.importTickets(dataSet())
        return sandbox
    }

    /// A filter (or several), and the tickets it must list, in the default order (newest first,
    /// ties by number, newest first).
    struct Case: Sendable {
        var arguments: [String]
        var expected: [Int]
        var actor: String? = nil
        var testDescription: String { (actor.map { "as \($0): " } ?? "") + arguments.joined(separator: " ") }
    }

    static let single: [Case] = [
        Case(arguments: [], expected: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
        Case(arguments: ["--status", "open"], expected: [9, 7, 5, 1]),
        Case(arguments: ["--status", "in-progress"], expected: [6, 2]),
        Case(arguments: ["--status", "In Progress"], expected: [6, 2]),
        Case(arguments: ["--status", "RESOLVED"], expected: [8, 3]),
        Case(arguments: ["--status", "closed"], expected: [10, 4]),
        Case(arguments: ["--status", "open,closed"], expected: [10, 9, 7, 5, 4, 1]),
        Case(arguments: ["--status", "open", "--status", "resolved"], expected: [9, 8, 7, 5, 3, 1]),
        Case(arguments: ["--priority", "critical"], expected: [5, 3]),
        Case(arguments: ["--priority", "high,Low"], expected: [10, 7, 6, 2, 1]),
        Case(arguments: ["--priority", "medium", "--priority", "critical"], expected: [9, 8, 5, 4, 3]),
        Case(arguments: ["--category", "bug-report"], expected: [8, 5, 2]),
        Case(arguments: ["--category", "Account Issue", "--category", "feature-request"], expected: [10, 9, 4, 3]),
        Case(arguments: ["--category", "technical-issue,general-inquiry"], expected: [7, 6, 1]),
        Case(arguments: ["--assignee", "sam@example.test"], expected: [9, 6, 4, 2]),
        Case(arguments: ["--assignee", "ADA@example.test"], expected: [7, 3]),
        Case(arguments: ["--assignee", "none"], expected: [10, 8, 5, 1]),
        Case(arguments: ["--assignee", "me"], expected: [9, 6, 4, 2], actor: "sam@example.test"),
        Case(arguments: ["--assignee", "me"], expected: [7, 3], actor: "ada@example.test"),
        Case(arguments: ["--assignee", "me"], expected: []),
        Case(arguments: ["--assignee", "nobody-known@example.test"], expected: []),
        Case(arguments: ["--requester", "jane@example.test"], expected: [8, 6, 3, 1]),
        Case(arguments: ["--requester", "omar@example.test"], expected: [9, 5, 2]),
        Case(arguments: ["--requester", "stranger@example.test"], expected: []),
        Case(arguments: ["--since", "2025-02-01"], expected: [10, 9, 8, 7, 6]),
        Case(arguments: ["--until", "2025-01-20"], expected: [4, 3, 2, 1]),
        Case(arguments: ["--since", "2025-01-10", "--until", "2025-01-25"], expected: [5, 4, 3, 2]),
        Case(arguments: ["--since", "2025-01-10T10:00:00Z"], expected: [10, 9, 8, 7, 6, 5, 4, 3, 2]),
        Case(arguments: ["--until", "2025-01-10T10:00:00Z"], expected: [1]),
        Case(arguments: ["--since", "2025-01-10T12:00:00+02:00", "--until", "2025-01-15T10:00:01Z"], expected: [3, 2]),
    ]

    static let combined: [Case] = [
        Case(arguments: ["--status", "open", "--priority", "critical,high"], expected: [7, 5]),
        Case(arguments: ["--status", "open,in-progress", "--assignee", "sam@example.test"], expected: [9, 6, 2]),
        Case(arguments: ["--category", "bug-report", "--assignee", "none"], expected: [8, 5]),
        Case(arguments: ["--requester", "jane@example.test", "--status", "resolved,open"], expected: [8, 3, 1]),
        Case(arguments: ["--assignee", "none", "--status", "open", "--category", "technical-issue"], expected: [1]),
        Case(arguments: ["--status", "closed", "--priority", "critical"], expected: []),
        Case(arguments: ["--since", "2025-01-15", "--until", "2025-02-10", "--status", "open,resolved", "--priority", "critical,high,medium"],
             expected: [8, 7, 5, 3]),
        Case(arguments: ["--requester", "omar@example.test", "--assignee", "sam@example.test", "--since", "2025-02-01"], expected: [9]),
        Case(arguments: ["--category", "bug-report", "--search", "ticket", "--status", "open"], expected: [5]),
        // A requester's filters apply within their own tickets only
        Case(arguments: [], expected: [8, 6, 3, 1], actor: "jane@example.test"),
        Case(arguments: ["--status", "open"], expected: [1], actor: "jane@example.test"),
        Case(arguments: ["--assignee", "none"], expected: [8, 1], actor: "jane@example.test"),
        Case(arguments: ["--requester", "omar@example.test"], expected: [], actor: "jane@example.test"),
        Case(arguments: ["--requester", "jane@example.test", "--priority", "critical"], expected: [3], actor: "jane@example.test"),
    ]

    // The cases run in a loop over one imported database rather than as parameterized tests:
    // each binary run costs tens of milliseconds, a fresh database several of them.

    @Test func eachFilterAlone() throws {
        // Given the ten tickets
        let sandbox = try Self.seeded()
        for filter in Self.single {
            // When they are listed with one filter
            let found = try sandbox.list(filter.arguments, as: filter.actor)
            // Then exactly the matching tickets come back, newest first, and the total counts them
            #expect(found.numbers == Self.numbers(filter.expected), "\(filter.testDescription)")
            #expect(found.pagination == ["total": filter.expected.count, "page": 1, "limit": 25,
                                         "pages": filter.expected.isEmpty ? 0 : 1], "\(filter.testDescription)")
        }
    }

    @Test func filtersCombine() throws {
        // Given the ten tickets
        let sandbox = try Self.seeded()
        for filter in Self.combined {
            // When several filters are given
            let found = try sandbox.list(filter.arguments, as: filter.actor)
            // Then a ticket must match all of them
            #expect(found.numbers == Self.numbers(filter.expected), "\(filter.testDescription)")
            #expect(found.pagination["total"] == filter.expected.count, "\(filter.testDescription)")
        }
    }

    @Test func multiValueFiltersListTheirSingleValuesMerged() throws {
        // Given the ten tickets (9 and 10 created at the same instant)
        let sandbox = try Self.seeded()
        let filters: [(option: String, values: [String], extra: [String])] = [
            ("--status", ["open", "in-progress"], []),
            ("--status", ["closed", "open", "resolved", "in-progress"], []),
            ("--priority", ["low", "critical", "medium"], []),
            ("--category", ["feature-request", "account-issue"], []),
            ("--status", ["open", "closed"], ["--priority", "low,medium"]),
            ("--status", ["open", "resolved"], ["--since", "2025-01-15"]),
            ("--priority", ["high", "low"], ["--requester", "jane@example.test"]),
            ("--status", ["open", "open", "closed"], []),
        ]
        for filter in filters {
            for order in [[], ["--reverse"]] {
                // When each value is listed alone, and all of them at once
                let name = "\(filter.option) \(filter.values) \(filter.extra) \(order)"
                var merged: [(created: String, number: String)] = []
                for value in Set(filter.values) {
                    let alone = try sandbox.list([filter.option, value] + filter.extra + order)
                    merged += alone.tickets.map { ($0["createdAt"] as? String ?? "", $0["ticketNumber"] as? String ?? "") }
                }
                // (newest first, ties by ticket number: the numbers were imported in order)
                merged.sort { order.isEmpty ? ($0.created, $0.number) > ($1.created, $1.number) : ($0.created, $0.number) < ($1.created, $1.number) }
                let joined = filter.values.joined(separator: ",")
                let all = try sandbox.list([filter.option, joined] + filter.extra + order)
                // Then the list is the single-value lists merged in the list's order, each ticket once, with their total
                #expect(all.numbers == merged.map(\.number), "\(name)")
                #expect(all.pagination["total"] == merged.count, "\(name)")
                // And read two at a time, the pages are that list cut in pieces, with the same totals
                var paged: [String] = []
                for page in 1...max(1, (merged.count + 1) / 2) {
                    let part = try sandbox.list([filter.option, joined, "--limit", "2", "--page", String(page)] + filter.extra + order)
                    #expect(part.pagination == ["total": merged.count, "page": page, "limit": 2, "pages": (merged.count + 1) / 2], "\(name)")
                    paged += part.numbers
                }
                #expect(paged == merged.map(\.number), "\(name)")
            }
        }
    }

    @Test func severalStatusesByPriorityListTheirSingleStatusListsMerged() throws {
        // Given the ten tickets
        let sandbox = try Self.seeded()
        let rank = ["Low": 1, "Medium": 2, "High": 3, "Critical": 4]
        for order in [[], ["--reverse"]] {
            // When each status is listed alone by priority, and the three at once
            var merged: [(priority: Int, created: String, number: String)] = []
            for status in ["open", "closed", "in-progress"] {
                let alone = try sandbox.list(["--status", status, "--sort", "priority"] + order)
                merged += alone.tickets.map {
                    (rank[$0["priority"] as? String ?? ""] ?? 0, $0["createdAt"] as? String ?? "", $0["ticketNumber"] as? String ?? "")
                }
            }
            merged.sort {
                order.isEmpty ? ($0.priority, $0.created, $0.number) > ($1.priority, $1.created, $1.number)
                    : ($0.priority, $0.created, $0.number) < ($1.priority, $1.created, $1.number)
            }
            let all = try sandbox.list(["--status", "open,closed,in-progress", "--sort", "priority"] + order)
            // Then the list is those lists merged by priority, then newest first, each ticket once
            #expect(merged.count > 3 && all.numbers == merged.map(\.number), "\(order)")
            #expect(all.pagination["total"] == merged.count, "\(order)")
            // And read three at a time, the pages are that list cut in pieces
            var paged: [String] = []
            for page in 1...((merged.count + 2) / 3) {
                paged += try sandbox.list(["--status", "open,closed,in-progress", "--sort", "priority", "--limit", "3",
                                           "--page", String(page)] + order).numbers
            }
            #expect(paged == merged.map(\.number), "\(order)")
        }
    }

    @Test func everySortOrderBothWays() throws {
        // Given the ten tickets (9 and 10 created at the same instant)
        let sandbox = try Self.seeded()
        let orders: [([String], [Int])] = [
            ([], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
            (["--reverse"], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
            (["--sort", "created"], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
            (["--sort", "updated"], [3, 1, 10, 9, 8, 6, 7, 5, 4, 2]),
            (["--sort", "updated", "--reverse"], [2, 4, 5, 7, 6, 8, 9, 10, 1, 3]),
            // Most urgent first, newest first within a priority
            (["--sort", "priority"], [5, 3, 7, 2, 9, 8, 4, 10, 6, 1]),
            (["--sort", "priority", "--reverse"], [1, 6, 10, 4, 8, 9, 2, 7, 3, 5]),
            // In workflow order (open first), newest first within a status
            (["--sort", "status"], [9, 7, 5, 1, 6, 2, 8, 3, 10, 4]),
            (["--sort", "STATUS", "--reverse"], [4, 10, 3, 8, 2, 6, 1, 5, 7, 9]),
            (["--sort", "priority", "--status", "open"], [5, 7, 9, 1]),
        ]
        for (arguments, expected) in orders {
            // When they are listed in each order
            let found = try sandbox.list(arguments)
            // Then the order is exact, ties broken by ticket number
            #expect(found.numbers == Self.numbers(expected), "\(arguments)")
        }
    }

    @Test func pagesCoverEveryTicketOnceUpToTheLastPage() throws {
        // Given the ten tickets
        let sandbox = try Self.seeded()
        // When they are read three at a time, for every sort order
        for sort in ["created", "updated", "priority", "status"] {
            var seen: [String] = []
            for page in 1...4 {
                let found = try sandbox.list(["--sort", sort, "--limit", "3", "--page", String(page)])
                // Then each page has the seed's pagination object, and the last one the remainder
                #expect(found.pagination == ["total": 10, "page": page, "limit": 3, "pages": 4], "\(sort) page \(page)")
                #expect(found.numbers.count == (page == 4 ? 1 : 3), "\(sort) page \(page)")
                seen += found.numbers
            }
            // And together they hold every ticket exactly once, in the order of one long page
            #expect(seen == (try sandbox.list(["--sort", sort])).numbers, "\(sort)")
            #expect(Set(seen).count == 10)
        }
    }

    @Test func pageEdges() throws {
        // Given the ten tickets
        let sandbox = try Self.seeded()
        // When pages at and past the edges are asked for
        let lastFull = try sandbox.list(["--limit", "5", "--page", "2"])
        let pastTheEnd = try sandbox.list(["--limit", "3", "--page", "5"])
        let farPast = try sandbox.list(["--page", "10000000"])
        let one = try sandbox.list(["--limit", "1"])
        let lastOfOne = try sandbox.list(["--limit", "1", "--page", "10"])
        let most = try sandbox.list(["--limit", "500"])
        let filteredPast = try sandbox.list(["--status", "open", "--limit", "2", "--page", "3"])
        // Then a full last page, empty pages past the end (with the true total), and the limit bounds work
        #expect(lastFull.numbers == Self.numbers([5, 4, 3, 2, 1]))
        #expect(lastFull.pagination == ["total": 10, "page": 2, "limit": 5, "pages": 2])
        #expect(pastTheEnd.numbers == [])
        #expect(pastTheEnd.pagination == ["total": 10, "page": 5, "limit": 3, "pages": 4])
        #expect(farPast.numbers == [] && farPast.pagination["total"] == 10)
        #expect(one.numbers == Self.numbers([10]))
        #expect(one.pagination == ["total": 10, "page": 1, "limit": 1, "pages": 10])
        #expect(lastOfOne.numbers == Self.numbers([1]))
        #expect(most.numbers.count == 10)
        #expect(most.pagination == ["total": 10, "page": 1, "limit": 500, "pages": 1])
        #expect(filteredPast.numbers == [])
        #expect(filteredPast.pagination == ["total": 4, "page": 3, "limit": 2, "pages": 2])
    }

    @Test func outOfBoundPagingIsAUsageError() throws {
        // Given the ten tickets
        let sandbox = try Self.seeded()
        for arguments in [["--limit", "0"], ["--limit", "501"], ["--limit=-1"], ["--page", "0"], ["--page=-3"], ["--page", "10000001"]] {
            // When a limit or page out of bounds is given
            let result = try sandbox.run(["ticket", "list", "--json"] + arguments)
            // Then it is a usage error (64, as every number option out of its range) with an APIError
            // naming the option, and nothing on stdout
            #expect(result.status == 64, "\(arguments): \(result)")
            #expect(result.out == "", "\(arguments)")
            let error = try result.apiError()
            let option = arguments[0].hasPrefix("--limit") ? "--limit must be from 1 to 500" : "--page must be from 1 to 10000000"
            #expect((error["error"] as? String)?.hasPrefix(option) == true, "\(arguments): \(result)")
        }
    }

    @Test func badFilterValuesAreRefusedWith65() throws {
        // Given the ten tickets
        let sandbox = try Self.seeded()
        let bad: [[String]] = [
            ["--status", "bogus"], ["--status", ""], ["--status", "open,"], ["--priority", "urgent"], ["--category", "hardware"],
            ["--since", "yesterdays"], ["--since", "2025-02-30"], ["--until", "7x"], ["--sort", "name"],
            ["--since", "2025-02-01", "--until", "2025-01-01"], ["--since", "2025-02-01", "--until", "2025-02-01T00:00:00Z"],
            ["--requester", "not-an-address"], ["--assignee", "not-an-address"],
        ]
        for arguments in bad {
            // When a filter value is not valid
            let result = try sandbox.run(["ticket", "list", "--json"] + arguments)
            // Then it is invalid input (65), explained on stderr as an APIError
            #expect(result.status == 65, "\(arguments): \(result)")
            #expect(result.out == "", "\(arguments)")
            _ = try result.apiError()
        }
    }

    @Test(arguments: Engine.available) func boundsAreExactToTheMillisecond(engine: Engine) throws {
        // Given tickets created at instants with milliseconds
        let sandbox = try Sandbox(engine: engine)
        let stamps = ["2025-01-10T10:00:00.001Z", "2025-01-10T10:00:00.208Z", "2025-01-10T10:00:00.653Z",
                      "2025-01-10T10:00:00.907Z", "2025-01-10T10:00:00.999Z"]
        try sandbox.importTickets(stamps.enumerated().map { index, stamp in
            ImportLine(number: Self.n(index + 1), subject: "At \(stamp)", createdAt: try! Date(stamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        })
        for (index, stamp) in stamps.enumerated() {
            // When one instant is the bound
            let since = try sandbox.list(["--since", stamp, "--reverse"])
            let until = try sandbox.list(["--until", stamp, "--reverse"])
            // Then --since includes the ticket created at that very millisecond and --until leaves it out
            #expect(since.numbers == Self.numbers(Array((index + 1)...stamps.count)), "--since \(stamp)")
            #expect(until.numbers == Self.numbers(Array(1..<(index + 1))), "--until \(stamp)")
            // And the ticket shows the instant it was given
            #expect(try sandbox.ticket(Self.n(index + 1))["createdAt"] as? String == stamp)
        }
    }

    @Test(arguments: Engine.available) func relativeDatesCountBackFromNow(engine: Engine) throws {
        // Given tickets created 2 hours, 3 days, 10 days and 40 days ago
        let sandbox = try Sandbox(engine: engine)
        let now = ImportLine.now
        let ages: [(String, TimeInterval)] = [("ST-2020-001", 40 * 86_400), ("ST-2020-002", 10 * 86_400),
                                               ("ST-2020-003", 3 * 86_400), ("ST-2020-004", 2 * 3600)]
        try sandbox.importTickets(ages.map { ImportLine(number: $0.0, subject: "Aged", createdAt: now.addingTimeInterval(-$0.1)) })
        // When listed with relative --since / --until
        let cases: [([String], [String])] = [
            (["--since", "7d"], ["ST-2020-004", "ST-2020-003"]),
            (["--since", "2w"], ["ST-2020-004", "ST-2020-003", "ST-2020-002"]),
            (["--since", "12h"], ["ST-2020-004"]),
            (["--since", "90min"], []),
            (["--until", "7d"], ["ST-2020-002", "ST-2020-001"]),
            (["--since", "30d", "--until", "7d"], ["ST-2020-002"]),
            (["--since", "1000d", "--until", "1d", "--reverse"], ["ST-2020-001", "ST-2020-002", "ST-2020-003"]),
        ]
        for (arguments, expected) in cases {
            // Then each window holds the tickets of that age
            #expect(try sandbox.list(arguments).numbers == expected, "\(arguments)")
        }
    }
}
