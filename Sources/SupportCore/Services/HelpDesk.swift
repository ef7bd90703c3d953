import Foundation
import Logging

/// The help desk as one person sees it: every rule of SPEC (who may see and change what,
/// validation, rate limits) lives here, over the store. Commands call this and render the result.
public struct HelpDesk: Sendable {
    public let database: AppDatabase
    public let actor: Actor
    let logger: Logger

    public init(database: AppDatabase, actor: Actor, logger: Logger = Logger(label: "support")) {
        self.database = database
        self.actor = actor
        self.logger = logger
    }

    /// The acting person for `--as EMAIL`, or the local operator when none is given.
    public static func actor(named email: String?, in database: AppDatabase) throws(SupportError) -> Actor {
        guard let email else { return .localOperator }
        let address: String
        do {
            address = try Validation.email(email, field: "--as")
        } catch {
            throw .unknownActor("--as: '\(Validation.printable(email))' is not an email address")
        }
        // The local operator is whoever owns the file, never a name to claim: its row exists only
        // to record the operator's own actions.
        guard address != Actor.operatorEmail else {
            throw .unknownActor("--as: \(address) is the local operator's placeholder, not a person; run without --as as the file's owner")
        }
        guard let user = try database.user(email: address) else {
            throw .unknownActor("--as: no user \(address); staff are added with 'support user add', requesters on their first ticket")
        }
        guard user.removedAt == nil else {
            throw .unknownActor("--as: \(address) was removed from the desk; 'support user add' brings them back")
        }
        return .person(user)
    }

    /// Who acts when no `--as` is given: the person mapped to the invoking Unix `login`
    /// (`user add --login`), else the local operator, but only for whoever owns the database
    /// file (or root): anyone else who can write it is told to name themself.
    public static func defaultActor(login: String?, ownsDatabase: Bool, in database: AppDatabase) throws(SupportError) -> Actor {
        if let login, let user = try database.user(login: login) {
            return .person(user)
        }
        guard ownsDatabase else {
            let who = login.map { "your login \($0) is" } ?? "your account is"
            throw .unknownActor("""
                no --as given, and \(who) not mapped to a person of this desk: use --as EMAIL, or an admin runs \
                'support user update EMAIL --login \(login ?? "NAME")'
                """)
        }
        return .localOperator
    }

    /// The local operator has no address a customer could answer: what would mail or show them
    /// as "Local operator <operator@localhost>" is refused, saying what is missing.
    func requirePersonFor(_ what: String) throws(SupportError) {
        guard case .localOperator = actor else { return }
        throw .unknownActor("""
            \(what) needs a real staff identity, not the local operator's placeholder: give --as EMAIL, or map your \
            login with 'support user update EMAIL --login \(Self.loginHint)'
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
            throw .invalidInput(field: "limit", "--limit must be from 1 to \(TicketQuery.maximumLimit)")
        }
        guard page >= 1, page <= TicketQuery.maximumPage else {
            throw .invalidInput(field: "page", "--page must be from 1 to \(TicketQuery.maximumPage)")
        }
        if let since, let until, since >= until {
            throw .invalidInput(field: "since", "--since must be before --until")
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
