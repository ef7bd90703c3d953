import Foundation
import Testing

/// Hostile numbers and times in `ticket import`: no arithmetic on an imported number may trap,
/// and no impossible time may be normalised into a possible one. Each refusal is exit 65 with the
/// line number, and changes nothing.
@Suite("ticket import: numbers at their edges, impossible times")
struct ImportEdgeTests {
    /// One ticket line with the given reply ids (nil: no id), every time valid.
    static func line(_ subject: String, replyIDs: [Int64?], number: String? = nil) -> String {
        let replies = replyIDs.map { id -> String in
            let idField = id.map { "\"id\":\($0)," } ?? ""
            return "{\(idField)\"message\":\"reply\",\"respondedBy\":{\"email\":\"sam@example.test\",\"role\":\"internal\"},\"isInternal\":false,\"createdAt\":\"2026-03-01T10:00:00.000Z\"}"
        }
        let numberField = number.map { "\"ticketNumber\":\"\($0)\"," } ?? ""
        return "{\(numberField)\"subject\":\"\(subject)\",\"message\":\"m\",\"category\":\"technical-issue\",\"submittedBy\":{\"email\":\"jane@example.test\"},\"responses\":[\(replies.joined(separator: ","))],\"createdAt\":\"2026-03-01T09:00:00.000Z\"}"
    }

    static func data(_ lines: [String]) -> Data { Data((lines.joined(separator: "\n") + "\n").utf8) }

    @Test(arguments: [
        // A file into an empty database (bulk path) and into one with tickets (batch path).
        false, true,
    ], Engine.available)
    func replyIdsAtTheEdgeOfInt64NeverTrap(intoExisting: Bool, engine: Engine) throws {
        // Given a database, empty or not
        let sandbox = try Sandbox(engine: engine)
        if intoExisting { try sandbox.createTicket(subject: "Already here") }
        // When a file gives reply ids at the top of Int64 and asks for more after them
        let max = Int64.max
        let first = try sandbox.run(["ticket", "import", "--json"], stdin: Self.data([
            Self.line("top", replyIDs: [max - 1, max]),
            Self.line("after the top", replyIDs: [nil]),
            Self.line("given below", replyIDs: [5_000, nil]),
        ]))
        // Then nothing traps; a reply that cannot get an id is refused with its line (bulk) or
        // gets one SQLite finds free (batch)
        #expect(!first.signaled)
        #expect([0, 65].contains(first.status), "\(first)")
        let imported = try #require(try first.json()["imported"] as? Int)
        #expect(imported >= 2)
        if first.status == 65 { #expect(first.err.contains("line "), "\(first.err)") }
        // And every later import works, the desk's own export included, into the same database
        // (every id taken: new ones needed) and into a fresh one
        let export = try sandbox.export()
        let again = try sandbox.run(["ticket", "import", "--json"], stdin: Data(
            export.out.replacingOccurrences(of: "\"ticketNumber\":\"ST-", with: "\"ticketNumberWas\":\"ST-").utf8))
        #expect(again.status == 0, "\(again)")
        #expect(try again.json()["imported"] as? Int == export.lines.count)
        let fresh = try Sandbox(engine: engine)
        let restored = try fresh.run(["ticket", "import", "--json"], stdin: export.bytes)
        #expect(restored.status == 0, "\(restored)")
        #expect(try fresh.export().bytes == export.bytes)
        // And a reply can still be added by hand afterwards
        let number = try #require(export.lines.first?["ticketNumber"] as? String)
        try sandbox.succeed(["respond", number, "--message", "still works", "--no-notify"])
    }

    @Test(arguments: [
        "\"id\":9223372036854775808", "\"id\":-9223372036854775809", "\"id\":1e400", "\"id\":99999999999999999999999",
        // Inside Int64 but not a row id: refused too, never taken as "give it a new id"
        "\"id\":0", "\"id\":-1", "\"id\":-9223372036854775808", "\"id\":1.5", "\"id\":\"7\"",
    ], Engine.available)
    func replyIdsBeyondInt64AreRefusedWithTheirLine(field: String, engine: Engine) throws {
        // Given a good line and a line whose reply id does not fit an Int64
        let sandbox = try Sandbox(engine: engine)
        let bad = Self.line("bad", replyIDs: [1]).replacingOccurrences(of: "\"id\":1", with: field)
        // When it is imported
        let result = try sandbox.run(["ticket", "import"], stdin: Self.data([Self.line("good", replyIDs: [nil]), bad]))
        // Then the bad line is refused with its number, and the good one imported
        #expect(result.status == 65, "\(result)")
        #expect(result.err.contains("line 2:"), "\(result.err)")
        #expect(try sandbox.list([]).numbers.count == 1)
    }

    @Test(arguments: Engine.available) func ticketSequencesAtTheirEdge(engine: Engine) throws {
        // Given a ticket numbered at the very last sequence of its year
        let sandbox = try Sandbox(engine: engine)
        let result = try sandbox.run(["ticket", "import"], stdin: Self.data([
            Self.line("last", replyIDs: [], number: "ST-2026-999999999"),
            Self.line("after the last", replyIDs: []),
        ]))
        // Then the unnumbered ticket after it is refused with its line, nothing traps
        #expect(result.status == 65, "\(result)")
        #expect(result.err.contains("line 2:"), "\(result.err)")
    }

    @Test(arguments: [
        // (createdAt of an unnumbered ticket, the exit status, its number when imported)
        ("0001-01-01T00:00:00.000Z", Int32(65), nil), ("1969-12-31T23:59:59.999Z", Int32(65), nil),
        ("1970-01-01T00:00:00.000Z", Int32(0), "ST-1970-001"), ("9999-12-31T23:59:59.999Z", Int32(0), "ST-9999-001"),
        ("9999-12-31T23:59:59.9999999Z", Int32(0), "ST-9999-001"),
    ] as [(String, Int32, String?)], Engine.available)
    func yearsAtTheEdgesOfNumbering(_ c: (createdAt: String, status: Int32, number: String?), engine: Engine) throws {
        let (createdAt, status, number) = c
        // Given an unnumbered ticket created at an edge of the years a number can carry
        let sandbox = try Sandbox(engine: engine)
        var object = try JSON.object(Data(Self.line("edge", replyIDs: [nil]).utf8))
        object["createdAt"] = createdAt
        // When it is imported
        let result = try sandbox.run(["ticket", "import"], stdin: Data(try JSONSerialization.data(withJSONObject: object)))
        // Then it is numbered in its own year, or refused with its line; nothing traps
        #expect(result.status == status, "\(createdAt): \(result)")
        if status == 65 { #expect(result.err.contains("line 1:"), "\(result.err)") }
        #expect(try sandbox.export().lines.first?["ticketNumber"] as? String == number)
    }

    /// Every date field of an import line, with every impossible component.
    static let impossibleTimes = [
        "2026-02-30T10:00:00Z", "2025-02-29T10:00:00Z", "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z", "2026-00-10T10:00:00Z",
        "2026-01-00T10:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T25:00:00Z", "2026-01-01T10:60:00Z", "2026-01-01T10:00:60Z",
        "2026-01-01T10:00:99Z", "2026-01-01T10:00:00Zjunk", "2026-01-01T10:00:00Z ", "2026-01-01T10:00:00+25:00",
        "2026-01-01T10:00:00+01:60", "2026-01-01T10:00:00.Z", "2026-01-01T10:00:00", "2026-01-01", "2026-1-01T10:00:00Z",
        "+2026-01-01T10:00:00Z", "0000-01-01T00:00:00Z", "2026-01-01T10:00:00.12x4Z",
    ]
    static let dateFields = ["createdAt", "updatedAt", "resolvedAt", "closedAt", "responses.createdAt"]

    @Test(arguments: dateFields, Engine.available)
    func impossibleTimesAreRefusedWithTheirLine(field: String, engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        var lines = [Self.line("good", replyIDs: [nil])]
        for time in Self.impossibleTimes {
            var object = try JSON.object(Data(Self.line("bad \(time)", replyIDs: [nil]).utf8))
            if field == "responses.createdAt" {
                var replies = try #require(object["responses"] as? [[String: Any]])
                replies[0]["createdAt"] = time
                object["responses"] = replies
            } else {
                object[field] = time
            }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        // When the file is imported
        let result = try sandbox.run(["ticket", "import", "--json"], stdin: Self.data(lines))
        // Then every bad line is refused with its number, and only the good one went in
        #expect(result.status == 65, "\(result)")
        let errors = try #require(try result.json()["errors"] as? [[String: Any]])
        #expect(errors.compactMap { $0["line"] as? Int } == Array(2...(Self.impossibleTimes.count + 1)), "\(result.err)")
        #expect(try result.json()["imported"] as? Int == 1)
    }

    @Test(arguments: Engine.available) func fractionsAreCutNeverRoundedIntoTheNextSecondOrYear(engine: Engine) throws {
        // Given a ticket created a hair before the new year, without a number
        let sandbox = try Sandbox(engine: engine)
        var object = try JSON.object(Data(Self.line("new year", replyIDs: []).utf8))
        object["createdAt"] = "2026-12-31T23:59:59.99999Z"
        // When it is imported
        try sandbox.succeed(["ticket", "import"], stdin: Data(try JSONSerialization.data(withJSONObject: object)))
        // Then it keeps its year and its millisecond
        let ticket = try #require(try sandbox.export().lines.first)
        #expect(ticket["ticketNumber"] as? String == "ST-2026-001")
        #expect(ticket["createdAt"] as? String == "2026-12-31T23:59:59.999Z")
    }

    @Test(arguments: Engine.available) func offsetsAndShortFractionsStillRead(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        var object = try JSON.object(Data(Self.line("offset", replyIDs: []).utf8))
        object["createdAt"] = "2026-03-01T10:00:00.5+02:00"
        try sandbox.succeed(["ticket", "import"], stdin: Data(try JSONSerialization.data(withJSONObject: object)))
        #expect(try sandbox.export().lines.first?["createdAt"] as? String == "2026-03-01T08:00:00.500Z")
    }

    static let impossibleCommandLineDates = [
        "2026-02-30", "2026-13-01", "2026-01-01T25:00", "2026-01-01T10:60", "2026-01-01T10:00:60", "2026-01-01T10:00:99Z",
        "2026-01-01T10:00Zjunk", "2026-01-01T10:00:00+24:00", "2026-02-29T10:00",
    ]

    @Test(arguments: ["ticket list", "audit", "stats"], Engine.available)
    func sinceAndUntilRefuseImpossibleDates(command: String, engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        for option in ["--since", "--until"] {
            for date in Self.impossibleCommandLineDates {
                let result = try sandbox.run(command.split(separator: " ").map(String.init) + ["\(option)=\(date)"])
                #expect(result.status == 65, "\(command) \(option) \(date): \(result)")
            }
            for date in ["2026-02-28", "2024-02-29T23:59:59.9999Z", "2026-01-01 10:00", "7d"] {
                let result = try sandbox.run(command.split(separator: " ").map(String.init) + ["\(option)=\(date)"])
                #expect(result.status == 0, "\(command) \(option) \(date): \(result)")
            }
        }
    }
}
