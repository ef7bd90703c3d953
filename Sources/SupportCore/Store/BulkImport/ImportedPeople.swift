import GRDB

/// A person of an import as the database has them.
struct ImportedPerson: Equatable {
    var id: Int64
    var isStaff: Bool
}

/// The people an import has met, by email, so that a person named on thousands of lines is
/// looked up (or created) once.
///
/// Only as good as the rows it names: a rollback can remove a user the import created, and
/// another process can remove one between transactions. Whoever rolls back or starts a new
/// transaction calls `forgetAll`, or a later ticket pointed at a user row that is gone.
struct ImportedPeople {
    private var known: [String: ImportedPerson] = [:]

    var count: Int { known.count }

    /// The person with `p`'s email: from memory, else the user of the database, created with
    /// the name and role the file gives (recorded as added by `actor`) when there is none. An
    /// existing user keeps their role.
    mutating func resolve(_ p: ImportPerson, in db: Database, addedBy actor: PersonReference) throws -> ImportedPerson {
        if let person = known[p.email] { return person }
        let (id, role) = try AppDatabase.ensureUserWithRole(db, email: p.email, name: p.name, role: p.role, addedBy: actor)
        let person = ImportedPerson(id: id, isStaff: role.isStaff)
        known[p.email] = person
        return person
    }

    mutating func forgetAll() { known.removeAll() }
}
