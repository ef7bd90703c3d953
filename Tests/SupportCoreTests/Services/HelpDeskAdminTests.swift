import Foundation
import Testing
@testable import SupportCore

@Suite("HelpDesk: settings, users and actors")
struct HelpDeskAdminTests {
    @Test func onlyAdminsReadAndChangeSettings() throws {
        let fixture = try DeskFixture()
        for user in [fixture.requester, fixture.staff] {
            #expect(failure { _ = try fixture.desk(user).settings() }?.exitCode == 77)
            #expect(failure { _ = try fixture.desk(user).setSetting(.supportName, to: "x") }?.exitCode == 77)
        }
        let admin = fixture.desk(fixture.admin)
        #expect(try admin.setSetting(.supportAutoResponse, to: "Yes") == "true")
        #expect(try admin.setSetting(.supportEmail, to: "Help@Example.test") == "help@example.test")
        let settings = try fixture.operatorDesk.settings()
        #expect(settings[.supportAutoResponse] == "true")
        #expect(settings[.supportEmail] == "help@example.test")
        #expect(settings[.ticketRateLimitPerHour] == "10")
        #expect(Set(settings.keys) == Set(SettingKey.allCases))
    }

    @Test func anInvalidSettingKeepsTheOldValue() throws {
        let fixture = try DeskFixture()
        let admin = fixture.desk(fixture.admin)
        _ = try admin.setSetting(.ticketRateLimitPerHour, to: "3")
        #expect(failure { _ = try admin.setSetting(.ticketRateLimitPerHour, to: "-3") }?.exitCode == 65)
        #expect(try admin.settings()[.ticketRateLimitPerHour] == "3")
    }

    @Test func usersAreListedByStaffAndManagedByAdmins() throws {
        let fixture = try DeskFixture()
        #expect(failure { _ = try fixture.desk(fixture.requester).users() }?.exitCode == 77)
        // (The operator's own account may exist too: changes are recorded under it.)
        let emails = try fixture.desk(fixture.staff).users().map(\.email).filter { $0 != Actor.operatorEmail }
        #expect(emails == ["ada@example.test", "jane@example.test", "omar@example.test", "sam@example.test"])
        #expect(try fixture.desk(fixture.staff).users(role: .user).map(\.email) == ["jane@example.test", "omar@example.test"])
        #expect(failure { _ = try fixture.desk(fixture.staff).addUser(email: "x@example.test", name: nil, role: .user) }?.exitCode == 77)
        #expect(failure { _ = try fixture.desk(fixture.staff).updateUser(email: "jane@example.test", name: "J", role: nil) }?.exitCode == 77)

        let admin = fixture.desk(fixture.admin)
        let added = try admin.addUser(email: "Lee@Example.TEST", name: nil, role: .internal)
        #expect(added.email == "lee@example.test" && added.name == "lee" && added.role == .internal && added.createdAt == fixedNow)
        #expect(failure { _ = try admin.addUser(email: "LEE@example.test", name: "Again", role: .user) }?.exitCode == 65)
        #expect(failure { _ = try admin.addUser(email: "bad address", name: nil, role: .user) }?.exitCode == 65)
        #expect(failure { _ = try admin.addUser(email: "z@example.test", name: "Tab\there", role: .user) }?.exitCode == 65)
        #expect(failure { _ = try admin.addUser(email: "z@example.test", name: String(repeating: "n", count: 101), role: .user) }?.exitCode == 65)

        let updated = try admin.updateUser(email: "lee@example.test", name: "Lee Park", role: .admin)
        #expect(updated.name == "Lee Park" && updated.role == .admin)
        #expect(try fixture.database.user(email: "lee@example.test") == updated)
        #expect(failure { _ = try admin.updateUser(email: "lee@example.test", name: nil, role: nil) }?.exitCode == 65)
        #expect(failure { _ = try admin.updateUser(email: "ghost@example.test", name: "G", role: nil) }?.exitCode == 66)
    }

    @Test func actorsAreLookedUpByAddress() throws {
        let fixture = try DeskFixture()
        // (Nobody named is the front end's decision: the command line's IdentityTests.)
        #expect(try HelpDesk.person(email: " SAM@Example.test ", in: fixture.database) == .person(fixture.staff))
        let unknown = failure { _ = try HelpDesk.person(email: "nobody@example.test", in: fixture.database) }
        #expect(unknown?.exitCode == 67)
        #expect(unknown?.code == "UNAUTHORIZED")
        let garbage = failure { _ = try HelpDesk.person(email: "\u{1B}[2Jroot", in: fixture.database) }
        #expect(garbage?.exitCode == 67)
        #expect(garbage?.message.contains("\u{1B}") == false)
    }

    @Test func theOperatorIsAnAdminAndPeopleHaveTheirRole() throws {
        let fixture = try DeskFixture()
        #expect(Actor.localOperator.isAdmin && Actor.localOperator.isStaff)
        #expect(Actor.person(fixture.staff).isStaff && !Actor.person(fixture.staff).isAdmin)
        #expect(!Actor.person(fixture.requester).isStaff)
    }
}
