import Foundation
import Logging

/// The help desk as one person sees it: every rule of SPEC (who may see and change what,
/// validation, rate limits) lives here, over the store. Commands call this and render the result.
public struct HelpDesk: Sendable {
    /// Storage, reached only from here: every public entry point checks the actor first.
    let database: any DeskStore
    public let actor: Actor
    let logger: Logger

    /// The desk on `database` as `actor` sees it. Who the actor is, the front end has found out
    /// (the command line's `--as` or login, the server's token): the core never assumes anyone.
    public init(database: AppDatabase, actor: Actor, logger: Logger = Logger(label: "support")) {
        self.database = database
        self.actor = actor
        self.logger = logger
    }

    /// The desk on `storage` (SQLite or PostgreSQL) as `actor` sees it.
    public init(storage: DeskStorage, actor: Actor, logger: Logger = Logger(label: "support")) {
        self.database = storage.store
        self.actor = actor
        self.logger = logger
    }

    /// The person at `email`, for a front end that has established who is acting (`--as`, a
    /// token's subject): a user of the desk, not removed, never the local operator's placeholder.
    /// Who acts when nobody is named is the front end's decision, not the core's: the command line
    /// gives the file's owner the local operator, a server gives nobody anything.
    public static func person(email: String, in database: AppDatabase) throws(SupportError) -> Actor {
        try person(email: email, in: .sqlite(database))
    }

    public static func person(email: String, in storage: DeskStorage) throws(SupportError) -> Actor {
        let address = try actorAddress(email)
        return try person(address, found: storage.store.user(email: address))
    }

    /// The address `person(email:in:)` looks up: refuses what is not an email address, and the
    /// local operator's placeholder.
    static func actorAddress(_ email: String) throws(SupportError) -> String {
        let address: String
        do {
            address = try Validation.email(email, field: "as")
        } catch {
            throw .unknownActor("'\(Validation.printable(email))' is not an email address")
        }
        // The local operator is whoever owns the file, never a name to claim: its row exists only
        // to record the operator's own actions.
        guard address != Actor.operatorEmail else {
            throw .unknownActor("\(address) is the local operator's placeholder, not a person\(commandLine: "; run without --as as the file's owner")")
        }
        return address
    }

    /// `person(email:in:)`'s rule for the user found at `address`: someone, and not removed.
    static func person(_ address: String, found user: User?) throws(SupportError) -> Actor {
        guard let user else {
            throw .unknownActor("no user \(address)\(commandLine: "; staff are added with 'support user add', requesters on their first ticket")")
        }
        guard user.removedAt == nil else {
            throw .unknownActor("\(address) was removed from the desk\(commandLine: "; 'support user add' brings them back")")
        }
        return .person(user)
    }

    /// The person a Unix login is mapped to (`user add --login`), if any.
    public static func person(login: String, in database: AppDatabase) throws(SupportError) -> Actor? {
        try person(login: login, in: .sqlite(database))
    }

    public static func person(login: String, in storage: DeskStorage) throws(SupportError) -> Actor? {
        try storage.store.user(login: login).map(Actor.person)
    }

    /// The local operator has no address a customer could answer: what would mail or show them
    /// as "Local operator <operator@localhost>" is refused, saying what is missing.
    func requirePersonFor(_ what: String) throws(SupportError) {
        guard case .localOperator = actor else { return }
        throw .unknownActor("""
            \(what) needs a real staff identity, not the local operator's placeholder\
            \(commandLine: ": give --as EMAIL, or map your login with 'support user update EMAIL --login \(Self.loginHint)'")
            """)
    }

    static var loginHint: String {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "NAME" }
        return String(cString: name)
    }

    /// The store reference the actor's own writes are recorded under.
    var actorReference: PersonReference {
        switch actor {
        case .localOperator: .localOperator
        case .person(let user): .existing(userID: user.id)
        }
    }

    func requireStaff(_ what: String) throws(SupportError) {
        guard actor.isStaff else { throw .forbidden("only support staff can \(what)") }
    }

    func requireAdmin(_ what: String) throws(SupportError) {
        guard actor.isAdmin else { throw .forbidden("only an admin can \(what)") }
    }

    /// A ticket the actor may see; someone else's ticket is "not found" to a requester, so that
    /// ticket numbers do not reveal what exists.
    func visibleTicket(_ number: TicketNumber) throws(SupportError) -> Ticket {
        guard let ticket = try database.ticket(number: number), canSee(ticket) else {
            throw .notFound("no ticket \(number)")
        }
        return ticket.visible(to: actor)
    }

    /// The bounds shared by every paged listing (`ticket list`, `audit`).
    static func checkPaging(limit: Int, page: Int, since: Date?, until: Date?) throws(SupportError) {
        guard (1...TicketQuery.maximumLimit).contains(limit) else {
            throw .invalidInput(field: "limit", "\(field: "limit") must be from 1 to \(TicketQuery.maximumLimit)")
        }
        guard page >= 1, page <= TicketQuery.maximumPage else {
            throw .invalidInput(field: "page", "\(field: "page") must be from 1 to \(TicketQuery.maximumPage)")
        }
        if let since, let until, since >= until {
            throw .invalidInput(field: "since", "\(field: "since") must be before \(field: "until")")
        }
    }

    /// Throws unless the actor may see the ticket; reads the ticket without its replies.
    func requireVisible(_ number: TicketNumber) throws(SupportError) {
        guard let ticket = try database.ticket(number: number, withResponses: false), canSee(ticket) else {
            throw .notFound("no ticket \(number)")
        }
    }

    func canSee(_ ticket: Ticket) -> Bool {
        actor.isStaff || ticket.submittedBy.email == actor.user?.email
    }
}
