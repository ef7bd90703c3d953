import Foundation
import GRDB
import Testing
@testable import SupportCore

/// The people cache of an import: a person is looked up or created once, with the role the
/// file gives (an existing user keeps theirs), and forgotten when a rollback may have removed them.
@Suite("ticket import: people")
struct ImportedPeopleTests {
    static func user(_ db: Database, _ email: String) throws -> (id: Int64, role: String)? {
        try Row.fetchOne(db, sql: "SELECT id, role FROM user WHERE email = ?", arguments: [email]).map { ($0[0], $0[1]) }
    }

    @Test func createsAnUnknownPersonWithTheFilesRoleAndRecordsWhoAddedThem() throws {
        // Given an empty desk
        let database = try AppDatabase.inMemory()
        try database.writer.write { db in
            var people = ImportedPeople()
            // When the file names an unknown member of staff
            let sam = try people.resolve(ImportPerson(email: "sam@example.test", name: "Sam", role: .internal),
                                         in: db, addedBy: .localOperator)
            // Then they are created as staff, and the audit says the importer added them
            let row = try #require(try Self.user(db, "sam@example.test"))
            #expect(sam == ImportedPerson(id: row.id, isStaff: true))
            #expect(row.role == "internal")
            #expect(try String.fetchAll(db, sql: "SELECT newValue FROM audit_event WHERE action = 'user.added' AND field = ?",
                                        arguments: ["sam@example.test"]) == ["internal"])
        }
    }

    @Test func anExistingUserKeepsTheirRole() throws {
        // Given a requester already in the desk
        let database = try AppDatabase.inMemory()
        try database.writer.write { db in
            let id = try AppDatabase.ensureUser(db, email: "jane@example.test", name: "Jane", role: .user)
            var people = ImportedPeople()
            // When the file calls her an admin
            let jane = try people.resolve(ImportPerson(email: "jane@example.test", name: "Jane", role: .admin),
                                          in: db, addedBy: .localOperator)
            // Then she is the same user, still a requester
            #expect(jane == ImportedPerson(id: id, isStaff: false))
            #expect(try Self.user(db, "jane@example.test")?.role == "user")
        }
    }

    @Test func looksEachPersonUpOnceUntilToldToForget() throws {
        // Given a person the cache has met
        let database = try AppDatabase.inMemory()
        try database.writer.write { db in
            var people = ImportedPeople()
            let omar = ImportPerson(email: "omar@example.test", name: "Omar", role: .user)
            let first = try people.resolve(omar, in: db, addedBy: .localOperator)
            // When the row goes away behind its back (as a rollback removes a user it created)
            try db.execute(sql: "DELETE FROM user WHERE email = ?", arguments: [omar.email])
            // Then the cache still answers from memory, without asking the database
            #expect(try people.resolve(omar, in: db, addedBy: .localOperator) == first)
            #expect(try Self.user(db, omar.email) == nil)
            #expect(people.count == 1)
            // And once told to forget, it finds the person again (created anew, with a new row)
            people.forgetAll()
            #expect(people.count == 0)
            let again = try people.resolve(omar, in: db, addedBy: .localOperator)
            #expect(try Self.user(db, omar.email)?.id == again.id)
            #expect(again.id != first.id)
        }
    }
}
