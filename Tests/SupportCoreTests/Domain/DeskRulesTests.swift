import Foundation
import Testing
@testable import SupportCore

/// The rules every storage engine applies, as pure functions: what the SQLite store writes is
/// what they say (the HelpDesk tests), and a second engine calls the same code.
struct DeskRulesTests {
    let earlier = fixedNow.addingTimeInterval(-86_400)

    func ticket(_ status: TicketStatus, resolvedAt: Date? = nil, closedAt: Date? = nil) throws -> Ticket {
        let fixture = try DeskFixture()
        var ticket = try fixture.openTicket(by: fixture.requester)
        ticket.status = status
        ticket.resolvedAt = resolvedAt
        ticket.closedAt = closedAt
        return ticket
    }

    func milestones(_ ticket: Ticket, _ status: TicketStatus) -> [Date?] {
        let m = ticket.milestones(movingTo: status, at: fixedNow)
        return [m.resolvedAt, m.closedAt]
    }

    @Test func milestonesFollowTheStatus() throws {
        // Given a ticket resolved a day ago
        let resolved = try ticket(.resolved, resolvedAt: earlier)
        // Then closing keeps its resolution time and closes now; reopening clears both
        #expect(milestones(resolved, .closed) == [earlier, fixedNow])
        #expect(milestones(resolved, .open) == [nil, nil])
        #expect(milestones(resolved, .inProgress) == [nil, nil])
        // And closing a ticket never resolved resolves it at the same time
        let open = try ticket(.open)
        #expect(milestones(open, .closed) == [fixedNow, fixedNow])
        #expect(milestones(open, .resolved) == [fixedNow, nil])
    }

    @Test func aReplyReopensTouchesOrLeavesTheTicket() throws {
        let closed = try ticket(.closed, resolvedAt: earlier, closedAt: earlier)
        let open = try ticket(.open)
        // A requester's reply reopens a closed ticket, not an open one
        #expect(closed.replyEffect(isInternal: false, reopens: true, touches: true) == .reopen)
        #expect(open.replyEffect(isInternal: false, reopens: true, touches: true) == .touch)
        // Staff replies touch; internal notes leave updatedAt alone; an out-of-office reply changes nothing
        #expect(closed.replyEffect(isInternal: false, reopens: false, touches: true) == .touch)
        #expect(open.replyEffect(isInternal: true, reopens: false, touches: true) == .none)
        #expect(closed.replyEffect(isInternal: false, reopens: true, touches: false) == .none)
    }

    @Test func theAuditNamesEachChangedFieldAsPeopleReadIt() throws {
        let before = try ticket(.open)
        var after = before
        after.status = .inProgress
        after.priority = .critical
        let changes = before.changes(to: after)
        #expect(changes.map(\.field) == ["priority", "status"])
        #expect(changes.last?.old == TicketStatus.open.title && changes.last?.new == TicketStatus.inProgress.title)
        #expect(before.changes(to: before).isEmpty)
    }

    @Test func anHourlyLimitCountsTheWindowAndSaysWhenToRetry() {
        let rule = HourlyLimit(limit: 2, noun: "tickets")
        let oldest = fixedNow.addingTimeInterval(-1800)
        // Under the limit: nothing
        #expect(throws: Never.self) { try rule.check(recent: [oldest]) }
        // At the limit: refused until the oldest leaves the window
        let error = failure { try rule.check(recent: [oldest, fixedNow]) }
        #expect(error == .rateLimited(
            "rate limit reached: at most 2 tickets per hour; try again after \(ISO8601.string(oldest.addingTimeInterval(3600)))",
            retryAfter: oldest.addingTimeInterval(3600)))
        // A limit of 0 means none
        #expect(throws: Never.self) { try HourlyLimit(limit: 0, noun: "tickets").check(recent: [oldest]) }
    }

    @Test func failedMailIsRetriedLaterAndLaterThenGivenUp() {
        #expect(DeliveryPolicy.backoff(afterAttempt: 1) == 60)
        #expect(DeliveryPolicy.backoff(afterAttempt: 3) == 240)
        #expect(DeliveryPolicy.backoff(afterAttempt: 40) == 6 * 3600)
        #expect(DeliveryPolicy.statusAfterFailure(tries: 4, maxAttempts: 5) == .pending)
        #expect(DeliveryPolicy.statusAfterFailure(tries: 5, maxAttempts: 5) == .failed)
    }
}
