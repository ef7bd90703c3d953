import Foundation
import GRDB
import Testing
@testable import SupportCore

/// The audit entries of settings and users: recorded in `audit_event` (without a ticket number),
/// with their actor, in the change's own transaction, read from the table here and through
/// `HelpDesk.auditTrail` (the `support audit` command: AuditCommandTests).
@Suite("audit trail of settings and users")
struct AuditTrailTests {
    struct Entry: Equatable, CustomStringConvertible {
        var action: String
        var actor: String
        var field: String?
        var old: String?
        var new: String?
        var description: String { "\(action) by \(actor) \(field ?? "-"): \(old ?? "nil") -> \(new ?? "nil")" }
    }

    /// Every entry without a ticket number, oldest first.
    static func entries(_ database: AppDatabase) throws -> [Entry] {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.action, u.email, e.field, e.oldValue, e.newValue
                FROM audit_event e JOIN user u ON u.id = e.actorID
                WHERE e.ticketNumber IS NULL ORDER BY e.id
                """).map { Entry(action: $0[0], actor: $0[1], field: $0[2], old: $0[3], new: $0[4]) }
        }
    }

    @Test func settingChangesAreRecordedWithOldAndNewValues() throws {
        // Given a help desk with an admin
        let fixture = try DeskFixture()
        let before = try Self.entries(fixture.database)
        // When the admin sets the support address twice and turns auto-responses on
        let admin = fixture.desk(fixture.admin)
        _ = try admin.setSetting(.supportEmail, to: "help@example.test")
        _ = try admin.setSetting(.supportEmail, to: "desk@example.test")
        _ = try admin.setSetting(.supportAutoResponse, to: "yes")
        // Then each change is one entry by the admin, old → new (the default first, values as stored)
        let added = Array(try Self.entries(fixture.database).dropFirst(before.count))
        #expect(added == [
            Entry(action: "setting.changed", actor: "ada@example.test", field: "support_email", old: "", new: "help@example.test"),
            Entry(action: "setting.changed", actor: "ada@example.test", field: "support_email", old: "help@example.test",
                  new: "desk@example.test"),
            Entry(action: "setting.changed", actor: "ada@example.test", field: "support_auto_response", old: "false", new: "true"),
        ], "\(added)")
    }

    @Test func settingAValueItAlreadyHasLeavesNoEntry() throws {
        // Given a support address that is set
        let fixture = try DeskFixture()
        let admin = fixture.desk(fixture.admin)
        _ = try admin.setSetting(.supportEmail, to: "help@example.test")
        let before = try Self.entries(fixture.database)
        // When it is set to the same value, and the rate limit to its default
        _ = try admin.setSetting(.supportEmail, to: "HELP@example.test")
        _ = try admin.setSetting(.ticketRateLimitPerHour, to: "10")
        // Then nothing changed, so nothing was recorded (before, each wrote an entry "a → a")
        #expect(try Self.entries(fixture.database) == before)
        #expect(try fixture.database.settings()[.supportEmail] == "help@example.test")
    }

    @Test func theAuditTrailIsNewestFirstAcrossTicketsSettingsAndUsers() throws {
        // Given a clock that moves, and changes of every kind, one of them in the past (a clock set back)
        let clock = TestClock()
        let fixture = try DeskFixture(clock: clock)
        let admin = fixture.desk(fixture.admin)
        clock.advance(by: 60)
        _ = try admin.setSetting(.supportName, to: "Help")
        clock.advance(by: 60)
        let ticket = try fixture.openTicket(by: fixture.requester)
        clock.advance(by: -3600)
        _ = try admin.updateUser(email: "sam@example.test", name: nil, role: .admin)
        clock.advance(by: 7200)
        // When an admin reads the trail, and someone else tries to
        let page = try admin.auditTrail(AuditQuery())
        // Then it holds every event, newest first by time (the set-back change last of these), ties by id
        let recent = page.events.prefix(3).map { "\($0.action.rawValue) \($0.ticketNumber ?? "-")" }
        #expect(recent == ["ticket.created \(ticket.ticketNumber)", "setting.changed -", "user.added -"], "\(page.events)")
        #expect(page.events.map(\.createdAt) == page.events.map(\.createdAt).sorted(by: >))
        #expect(page.events.contains { $0.action == .userChanged && $0.oldValue == "internal" && $0.newValue == "admin" })
        #expect(page.total == page.events.count)
        #expect(failure { _ = try fixture.desk(fixture.staff).auditTrail(AuditQuery()) }?.exitCode == 77)
        #expect(failure { _ = try fixture.desk(fixture.requester).auditTrail(AuditQuery()) }?.exitCode == 77)
    }

    @Test func actionNamesParseInAnyCaseAndUnknownOnesAreRefused() throws {
        #expect(try AuditEvent.Action.parse(" Setting.Changed ") == .settingChanged)
        for action in AuditEvent.Action.allCases { #expect(try AuditEvent.Action.parse(action.rawValue) == action) }
        let refused = failure { _ = try AuditEvent.Action.parse("setting.removed\u{1B}[0m") }
        #expect(refused?.exitCode == 65)
        #expect(refused?.message.contains("'setting.removed\\x1B[0m'") == true, "\(String(describing: refused))")
        #expect(refused?.message.contains("user.changed") == true)
    }

    @Test func refusedSettingChangesLeaveNoEntry() throws {
        // Given a help desk
        let fixture = try DeskFixture()
        let before = try Self.entries(fixture.database)
        // When staff (not admin) try to change a setting, and an admin gives a bad value
        #expect(failure { _ = try fixture.desk(fixture.staff).setSetting(.supportEmail, to: "help@example.test") }?.exitCode == 77)
        #expect(failure { _ = try fixture.desk(fixture.admin).setSetting(.ticketRateLimitPerHour, to: "many") }?.exitCode == 65)
        // Then nothing was recorded
        #expect(try Self.entries(fixture.database) == before)
    }

    @Test func userAdditionsAndRoleChangesAreRecorded() throws {
        // Given a help desk
        let fixture = try DeskFixture()
        let before = try Self.entries(fixture.database)
        // When the admin adds a staff member, promotes them, renames them, and demotes a requester... to a requester
        let admin = fixture.desk(fixture.admin)
        _ = try admin.addUser(email: "lee@example.test", name: "Lee", role: .internal)
        _ = try admin.updateUser(email: "lee@example.test", name: nil, role: .admin)
        _ = try admin.updateUser(email: "lee@example.test", name: "Lee Smith", role: nil)
        _ = try admin.updateUser(email: "jane@example.test", name: nil, role: .user)
        // Then the addition, the role change and the name change are recorded by the admin; the no-op is not
        let added = Array(try Self.entries(fixture.database).dropFirst(before.count))
        #expect(added == [
            Entry(action: "user.added", actor: "ada@example.test", field: "lee@example.test", old: nil, new: "internal"),
            Entry(action: "user.changed", actor: "ada@example.test", field: "lee@example.test role", old: "internal", new: "admin"),
            Entry(action: "user.changed", actor: "ada@example.test", field: "lee@example.test name", old: "Lee", new: "Lee Smith"),
        ], "\(added)")
    }

    @Test func refusedUserChangesLeaveNoEntry() throws {
        // Given a help desk
        let fixture = try DeskFixture()
        let before = try Self.entries(fixture.database)
        // When staff try to promote themself, and an admin adds someone who exists
        #expect(failure { _ = try fixture.desk(fixture.staff).updateUser(email: "sam@example.test", name: nil, role: .admin) }?.exitCode == 77)
        #expect(failure { _ = try fixture.desk(fixture.admin).addUser(email: "jane@example.test", name: nil, role: .admin) }?.exitCode == 65)
        #expect(failure { _ = try fixture.desk(fixture.admin).updateUser(email: "nobody@example.test", name: nil, role: .admin) }?.exitCode == 66)
        // Then nothing was recorded and nobody's role changed
        #expect(try Self.entries(fixture.database) == before)
        #expect(try fixture.database.user(email: "sam@example.test")?.role == .internal)
    }

    @Test func ticketEntriesAreNotMixedWithOtherEvents() throws {
        // Given a ticket, and a settings change and a user change made meanwhile
        let fixture = try DeskFixture()
        let ticket = try fixture.openTicket(by: fixture.requester)
        _ = try fixture.desk(fixture.admin).setSetting(.supportName, to: "Help")
        _ = try fixture.desk(fixture.admin).updateUser(email: "sam@example.test", name: nil, role: .admin)
        // When the ticket's history is read
        let history = try fixture.desk(fixture.staff).history(of: ticket.ticketNumber)
        // Then it holds the ticket's own entries only
        #expect(history.map(\.action) == [.ticketCreated])
        #expect(history.first?.actor.email == "jane@example.test")
    }
}
