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
        return .person(user)
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
