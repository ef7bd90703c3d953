import Foundation
import GRDB
import Testing
@testable import SupportCore

/// Every `support audit` path is served by an index: the plans SQLite picks for the SQL the
/// store really runs (`AppDatabase.auditListSQL(for:)`) read an index in the list's order and
/// never sort the whole table in a temporary B-tree (no ANALYZE, as in a fresh file).
@Suite("audit query plans")
struct AuditQueryPlanTests {
    struct Path: Sendable, CustomTestStringConvertible {
        var name: String
        var query: AuditQuery
        var byActor = false
        var testDescription: String { name }

        init(_ name: String, byActor: Bool = false, _ configure: (inout AuditQuery) -> Void = { _ in }) {
            self.name = name
            var query = AuditQuery()
            configure(&query)
            self.query = query
            self.byActor = byActor
        }
    }

    static let ticket = TicketNumber(year: 2026, sequence: 1)
    static let day: TimeInterval = 86_400

    static let paths: [Path] = [
        Path("no filter"),
        Path("--page 3") { $0.page = 3 },
        Path("--since") { $0.since = fixedNow.addingTimeInterval(-7 * day) },
        Path("--since --until") { $0.since = fixedNow.addingTimeInterval(-7 * day); $0.until = fixedNow },
        Path("--action") { $0.actions = [.settingChanged] },
        Path("--action --since") { $0.actions = [.userChanged]; $0.since = fixedNow.addingTimeInterval(-day) },
        Path("--action a,b") { $0.actions = [.settingChanged, .userAdded, .userChanged] },
        Path("--action a,b --until") { $0.actions = [.ticketDeleted, .userChanged]; $0.until = fixedNow },
        Path("--actor", byActor: true),
        Path("--actor --since", byActor: true) { $0.since = fixedNow.addingTimeInterval(-day) },
        Path("--actor --action", byActor: true) { $0.actions = [.ticketChanged] },
        Path("--actor --action a,b", byActor: true) { $0.actions = [.ticketChanged, .ticketDeleted] },
        Path("--ticket") { $0.ticketNumber = ticket },
        Path("--ticket --action", byActor: false) { $0.ticketNumber = ticket; $0.actions = [.ticketChanged] },
        Path("--ticket --actor --action a,b --since --until", byActor: true) {
            $0.ticketNumber = ticket; $0.actions = [.ticketChanged, .ticketReplied]
            $0.since = fixedNow.addingTimeInterval(-day); $0.until = fixedNow
        },
    ]

    static func plan(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [String] {
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
    }

    @Test(arguments: paths)
    func auditListIsServedByAnIndex(_ path: Path) throws {
        // Given a database with the actor the filter names
        let fixture = try DeskFixture()
        let filter = AuditFilter(query: path.query, actorID: path.byActor ? fixture.staff.id : nil)
        let list = AppDatabase.auditListSQL(for: filter)
        // When SQLite plans the page and the count
        let (page, count) = try fixture.database.writer.read { db in
            (try Self.plan(db, list.pageSQL, list.pageArguments), try Self.plan(db, list.countSQL, list.countArguments))
        }
        let described = page.joined(separator: "\n")
        let eventSteps = page.filter { $0.hasPrefix("SCAN e") || $0.hasPrefix("SEARCH e") }
        try #require(!eventSteps.isEmpty, "\(described)")
        // Then every read of audit_event goes through an index, narrowed by the filter when there is one
        let filtered = !path.query.actions.isEmpty || path.byActor || path.query.ticketNumber != nil
            || path.query.since != nil || path.query.until != nil
        for step in eventSteps {
            #expect(step.contains(" USING INDEX ") || step.contains(" USING COVERING INDEX "), "\(path.name):\n\(described)")
            if filtered { #expect(step.hasPrefix("SEARCH e "), "\(path.name): walks every event:\n\(described)") }
        }
        if path.query.ticketNumber != nil {
            // And a ticket's events come from its own index alone, then are sorted (they are few)
            #expect(eventSteps == ["SEARCH e USING INDEX audit_event_on_ticketNumber (ticketNumber=?)"], "\(path.name):\n\(described)")
        } else {
            // And otherwise in order, merged from one range per action where needed, never sorted
            #expect(!described.contains("TEMP B-TREE"), "\(path.name): sorts in a temporary B-tree:\n\(described)")
            let merged = path.query.actions.count > 1 || (path.byActor && path.query.actions.isEmpty)
            #expect(page.contains("MERGE (UNION ALL)") == merged, "\(path.name):\n\(described)")
            if path.byActor {
                #expect(eventSteps.allSatisfy { $0.contains("audit_event_on_actorID_action_createdAt (actorID=? AND action=?") },
                        "\(path.name):\n\(described)")
            }
        }
        // And the total is counted from an index alone
        let counted = count.joined(separator: "\n")
        #expect(count.allSatisfy { !($0.hasPrefix("SCAN e") || $0.hasPrefix("SEARCH e")) || $0.contains("INDEX") }, "\(path.name):\n\(counted)")
        if filtered {
            #expect(count.contains { $0.hasPrefix("SEARCH e ") }, "\(path.name): the count reads every event:\n\(counted)")
        }
    }

    @Test func theRateLimitStillReadsItsOwnIndex() throws {
        // Given the new audit indexes beside the rate limit's (actorID, action, createdAt)
        let fixture = try DeskFixture()
        // When SQLite plans the rate limit's count of a requester's recent tickets (the SQL of createTicket)
        let plan = try fixture.database.writer.read { db in
            try Self.plan(db, """
                SELECT createdAt FROM audit_event
                WHERE actorID = ? AND action = 'ticket.created' AND createdAt > ? ORDER BY createdAt LIMIT ?
                """, [fixture.requester.id, fixedNow.addingTimeInterval(-3600), 10])
        }
        // Then it still uses all three columns, not the newest events of every requester
        #expect(plan == ["SEARCH audit_event USING COVERING INDEX audit_event_on_actorID_action_createdAt (actorID=? AND action=? AND createdAt>?)"],
                "\(plan)")
    }
}
