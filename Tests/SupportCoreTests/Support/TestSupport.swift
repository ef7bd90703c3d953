import Foundation
import GRDB
import Testing
@testable import SupportCore

/// The instant every fixed-clock test runs at: 2026-03-14T15:09:26Z.
let fixedNow = Date(timeIntervalSince1970: 1_773_500_966)

/// A clock the test moves by hand, for rules that depend on elapsed time (the rate limit).
/// (A lock, not `Mutex`: the package still builds for macOS 13.)
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = fixedNow) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(by seconds: TimeInterval) {
        lock.withLock { current.addTimeInterval(seconds) }
    }
}

/// A fresh in-memory help desk: its database, and one person of each role.
struct DeskFixture {
    let database: AppDatabase
    let requester: User
    let otherRequester: User
    let staff: User
    let admin: User

    /// Fixed clock by default; pass a `TestClock` to move time between transactions.
    init(clock: TestClock? = nil) throws {
        if let clock {
            var config = Configuration()
            config.transactionClock = .custom { _ in clock.now }
            database = try AppDatabase(DatabaseQueue(configuration: config))
        } else {
            database = try AppDatabase.inMemory(now: fixedNow)
        }
        requester = try database.addUser(email: "jane@example.test", name: "Jane", role: .user)
        otherRequester = try database.addUser(email: "omar@example.test", name: "Omar", role: .user)
        staff = try database.addUser(email: "sam@example.test", name: "Sam", role: .internal)
        admin = try database.addUser(email: "ada@example.test", name: "Ada", role: .admin)
    }

    func desk(_ user: User?) -> HelpDesk {
        HelpDesk(database: database, actor: user.map(Actor.person) ?? .localOperator)
    }

    var operatorDesk: HelpDesk { desk(nil) }

    /// A ticket opened by `user` (the operator when nil) with distinctive text.
    @discardableResult
    func openTicket(by user: User?, subject: String = "Printer on fire", message: String = "It smells of toner.",
                    category: TicketCategory = .technicalIssue) throws -> Ticket {
        try desk(user).createTicket(NewTicket(subject: subject, message: message, category: category))
    }
}

/// The `SupportError` a call throws, or nil when it does not throw. Any other error is a test
/// failure: the core promises to throw nothing else.
func failure(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> SupportError? {
    do {
        try body()
        return nil
    } catch let error as SupportError {
        return error
    } catch {
        Issue.record("not a SupportError: \(error)", sourceLocation: sourceLocation)
        return .internalError("\(error)")
    }
}
