import Foundation
import Testing
@testable import SupportCore

@Suite("HelpDesk: rate limit")
struct HelpDeskRateLimitTests {
    static func fixture(limit: Int, clock: TestClock) throws -> DeskFixture {
        let fixture = try DeskFixture(clock: clock)
        _ = try fixture.operatorDesk.setSetting(.ticketRateLimitPerHour, to: String(limit))
        return fixture
    }

    @Test func aRequesterIsStoppedAtTheLimitAndToldWhenToRetry() throws {
        // Given a limit of 2 an hour and a requester who opened tickets at t0 and t0+10min
        let clock = TestClock()
        let fixture = try Self.fixture(limit: 2, clock: clock)
        try fixture.openTicket(by: fixture.requester)
        clock.advance(by: 600)
        try fixture.openTicket(by: fixture.requester)
        // When they try a third at t0+59min
        clock.advance(by: 2940)
        let error = failure { try fixture.openTicket(by: fixture.requester) }
        // Then they are refused (75) until an hour after the oldest of the window
        let retry = fixedNow.addingTimeInterval(3600)
        #expect(error == .rateLimited(
            "rate limit reached: at most 2 tickets per hour; try again after \(ISO8601.string(retry))", retryAfter: retry))
        #expect(error?.exitCode == 75)
        #expect(error?.message.contains("2026-03-14T16:09:26.000Z") == true)
        // And nothing was written
        #expect(try fixture.operatorDesk.listTickets(TicketQuery()).total == 2)
    }

    @Test func theWindowSlides() throws {
        let clock = TestClock()
        let fixture = try Self.fixture(limit: 2, clock: clock)
        try fixture.openTicket(by: fixture.requester)
        clock.advance(by: 600)
        try fixture.openTicket(by: fixture.requester)
        // Exactly at the promised time the oldest one has left the window...
        clock.advance(by: 3000)
        #expect(failure { try fixture.openTicket(by: fixture.requester) } == nil)
        // ...and now the window holds t0+10min and t0+60min, so the next waits for t0+70min.
        let error = failure { try fixture.openTicket(by: fixture.requester) }
        guard case .rateLimited(_, let retryAfter)? = error else {
            Issue.record("expected a rate limit, got \(String(describing: error))")
            return
        }
        #expect(retryAfter == fixedNow.addingTimeInterval(4200))
    }

    @Test func eachRequesterHasTheirOwnAllowance() throws {
        let clock = TestClock()
        let fixture = try Self.fixture(limit: 1, clock: clock)
        try fixture.openTicket(by: fixture.requester)
        #expect(failure { try fixture.openTicket(by: fixture.otherRequester) } == nil)
        #expect(failure { try fixture.openTicket(by: fixture.requester) }?.exitCode == 75)
    }

    @Test func staffAndTheOperatorAreExempt() throws {
        // Given a limit of 1, and staff opening tickets for themselves and for a requester
        let clock = TestClock()
        let fixture = try Self.fixture(limit: 1, clock: clock)
        for user in [fixture.staff, fixture.admin, nil] {
            for _ in 1...3 { try fixture.openTicket(by: user) }
        }
        for _ in 1...3 {
            _ = try fixture.desk(fixture.staff).createTicket(NewTicket(
                subject: "phoned in", message: "m", category: .generalInquiry, requesterEmail: fixture.requester.email))
        }
        // Then all were opened
        #expect(try fixture.operatorDesk.listTickets(TicketQuery()).total == 12)
    }

    @Test func zeroMeansNoLimit() throws {
        let fixture = try Self.fixture(limit: 0, clock: TestClock())
        for _ in 1...15 { try fixture.openTicket(by: fixture.requester) }
        #expect(try fixture.desk(fixture.requester).listTickets(TicketQuery()).total == 15)
    }

    @Test func theDefaultIsTenAnHour() throws {
        let fixture = try DeskFixture()
        for _ in 1...10 { try fixture.openTicket(by: fixture.requester) }
        #expect(failure { try fixture.openTicket(by: fixture.requester) }?.exitCode == 75)
    }
}
