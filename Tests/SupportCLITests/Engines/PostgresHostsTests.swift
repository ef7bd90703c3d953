import Foundation
import Testing

/// Issue 17, "several hosts": two `support serve` processes and two cron `notify flush` loops on
/// four hosts (UTS namespaces, `SeveralHosts`) against one PostgreSQL database, 8 creators over
/// real HTTP split over the two servers. Numbers stay gap-free, every request answered 201 is a
/// ticket or a reply and nothing else is, and every mail goes out exactly once; a process killed
/// with SIGKILL in the middle of a batch loses nothing, and only a message whose mail program it
/// had already started goes out a second time, byte for byte the same (README: "a flush killed at
/// any moment loses nothing"; a message whose sending was under way may be sent again, with the
/// same Message-ID so that it can be recognised).
@Suite("engines: PostgreSQL on several hosts", .serialized)
struct PostgresHostsTests {
    enum Victim: String, CustomTestStringConvertible {
        case server, cronFlush
        var testDescription: String { rawValue }
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func twoServersAndTwoCronLoopsOnFourHostsSendEveryMailOnce() throws {
        // Given a desk on PostgreSQL, two servers flushing every second and two cron loops
        let desk = try SeveralHosts(ticketsPerCreator: 22)
        try desk.start()

        // When 8 creators open 176 tickets, each answered by staff, over HTTP (528 mails)
        try desk.startCreators()
        let creators = try desk.finishCreators()
        #expect(creators.status == 0, "\(creators)")
        let (loopExits, stopped) = try desk.drainAndStop()

        // Then nothing was lost, nothing made twice, every mail sent exactly once
        let figures = try Self.expectEverythingOnce(desk, killed: nil)
        #expect(figures.mails >= 500, "only \(figures.mails) mails")
        for server in stopped {
            #expect(server.status == 0 && !server.signaled, "\(server)")
            #expect(!server.err.contains("mail not flushed"), "\(server.err.suffix(2000))")
        }
        // And every cron run ended with 0 (no message waited for a retry)
        for exits in loopExits { #expect(Set(exits.split(separator: "\n")) == ["0"], "cron exits: \(exits)") }
        print("several hosts: \(figures.tickets) tickets, \(figures.mails) mails, each delivered once (\(desk.separateHosts ? "4 hosts" : "1 host"); \(desk.timeline))")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"),
          arguments: [Victim.server, .cronFlush])
    func aProcessKilledMidBatchLosesNothingAndResendsOnlyWhatItWasSending(victim: Victim) throws {
        // Given the desk of the test above, every mail program held once it has read its message
        let desk = try SeveralHosts(ticketsPerCreator: 8)
        try desk.start()
        desk.closeGate()
        let serverPIDs = Set(desk.servers.map(\.command.processIdentifier))

        // When a third of the tickets are answered (the creators wait there until the kill), and
        // the victim (server alpha, or whichever cron flush got there) holds mail programs it
        // started, it is killed with SIGKILL
        desk.holdCreators()
        try desk.startCreators()
        var killed: Int32?
        try SeveralHosts.waitUntil("a third of the tickets are answered and the \(victim) is sending", timeout: 90) {
            guard try desk.requests().filter({ $0.kind == "ticket" && $0.status == 201 }).count >= desk.ticketsWanted / 3 else { return false }
            killed = try desk.runs().first { run in
                guard run.held, let by = run.by else { return false }
                return victim == .server ? by == desk.servers[0].command.processIdentifier : !serverPIDs.contains(by)
            }?.by
            return killed != nil
        }
        let victimPID = try #require(killed)
        if victim == .server {
            #expect(try desk.killServer(0).signaled)
        } else {
            // (a child of its cron loop, which reaps it and goes on)
            kill(victimPID, SIGKILL)
        }
        let answeredBeforeTheKill = try desk.requests().filter { $0.status == 201 }.count
        let inFlight = try desk.runs().filter { $0.by == victimPID }.count
        desk.openGate()
        desk.releaseCreators()
        let creators = try desk.finishCreators()
        let (loopExits, stopped) = try desk.drainAndStop()

        // Then the kill landed in the middle of both runs: the victim had mail programs running,
        // and the creators went on after it
        #expect(inFlight >= 1)
        #expect(try desk.requests().filter { $0.status == 201 }.count > answeredBeforeTheKill)
        #expect(creators.status == 0, "\(creators)")
        // And nothing was lost, nothing made twice; only what the victim was sending went out twice
        let figures = try Self.expectEverythingOnce(desk, killed: victimPID)
        // And the survivors stopped cleanly; every cron run ended 0 but the one killed
        for server in stopped {
            if server.status != 0 || server.signaled { #expect(victim == .server && server.signaled, "\(server)") }
            #expect(!server.err.contains("mail not flushed"), "\(server.err.suffix(2000))")
        }
        let exits = loopExits.flatMap { $0.split(separator: "\n") }
        #expect(exits.filter { $0 != "0" } == (victim == .cronFlush ? ["137"] : []), "cron exits: \(loopExits)")
        let lost = try desk.requests().filter { $0.status == nil }.count
        print("several hosts, \(victim) killed: \(figures.tickets) tickets, \(figures.mails) mails, \(inFlight) in flight at the kill "
              + "and sent again, \(lost) requests lost and retried on the other server (\(desk.timeline))")
    }

    /// Checks the promise against the database, the creators' log and the mail program's files:
    /// ticket numbers 1…n; every ticket and reply answered 201 stored once, and one whose request
    /// got no answer at most once more; every outbox row sent by one recorded attempt; every
    /// Message-ID delivered once, except those the killed process had started sending: twice,
    /// byte for byte the same.
    @discardableResult
    static func expectEverythingOnce(_ desk: SeveralHosts, killed: Int32?) throws -> (tickets: Int, mails: Int) {
        let requests = try desk.requests()
        let refused = requests.filter { $0.status != nil && $0.status != 201 }
        #expect(refused.isEmpty, "requests answered other than 201: \(refused.prefix(5))")
        let lost = requests.filter { $0.status == nil }
        if killed == nil { #expect(lost.isEmpty, "requests lost with every server up: \(lost.prefix(5))") }

        // Tickets: 1…n, gap-free; each answered one stored; more only for a lost request
        let tickets = try desk.rows("SELECT ticketNumber, subject FROM ticket")
        #expect(Set(tickets.map { $0[0] }) == Set((0..<tickets.count).map { Sandbox.number($0 + 1) }) && tickets.count > 0,
                "numbers: \(tickets.map { $0[0] }.sorted())")
        var answered: [String: String] = [:]
        for request in requests where request.kind == "ticket" && request.status == 201 {
            #expect(answered[request.key] == nil, "\(request.key) answered twice")
            answered[request.key] = request.ticket
        }
        #expect(answered.count == desk.ticketsWanted)
        let lostTimes = { (kind: String, key: String) in lost.filter { $0.kind == kind && $0.key == key }.count }
        let stored = Dictionary(grouping: tickets) { $0[1] }.mapValues { $0.map { $0[0] } }
        #expect(Set(stored.keys) == Set(answered.keys.map { "Hosts \($0)" }), "tickets nobody asked for")
        for (key, number) in answered {
            let numbers = stored["Hosts \(key)"] ?? []
            #expect(numbers.contains(number) && numbers.count <= 1 + lostTimes("ticket", key), "\(key): answered \(number), stored \(numbers)")
        }

        // Replies: each answered one stored, on its ticket; more only for a lost request
        let replies = try desk.rows("SELECT t.ticketNumber, r.message FROM response r JOIN ticket t ON t.id = r.ticketId")
        let repliesByKey = Dictionary(grouping: replies) { $0[1] }
        #expect(Set(repliesByKey.keys) == Set(answered.keys.map { "Reply to \($0)." }), "replies nobody asked for")
        for (key, number) in answered {
            let copies = repliesByKey["Reply to \(key)."] ?? []
            #expect(copies.allSatisfy { $0[0] == number } && (1...1 + lostTimes("reply", key)).contains(copies.count),
                    "reply to \(key): \(copies)")
        }

        // The outbox: a notice and an auto-response per ticket, a mail per reply, each sent by
        // one recorded attempt
        let outbox = try desk.rows("SELECT id, messageID, kind, status, attempts FROM outbox")
        let kinds = Dictionary(grouping: outbox) { $0[2] }.mapValues(\.count)
        #expect(kinds == ["new-ticket": tickets.count, "auto-response": tickets.count, "staff-reply": replies.count], "\(kinds)")
        let unsent = outbox.filter { $0[3] != "sent" || $0[4] != "1" }
        #expect(unsent.isEmpty, "not sent exactly once: \(unsent.prefix(5))")
        let attempts = try desk.rows("SELECT outboxID, outcome FROM outbox_attempt")
        #expect(attempts.map { $0[0] }.sorted() == outbox.map { $0[0] }.sorted() && attempts.allSatisfy { $0[1] == "sent" },
                "\(attempts.count) attempts recorded for \(outbox.count) messages")

        // What the mail program got: every Message-ID of the outbox, once; twice only when the
        // killed process had started it, both copies the same bytes
        let delivered = try desk.delivered()
        let copies = Dictionary(grouping: delivered) { $0.messageID }
        let outboxIDs = Set(outbox.map { $0[1].trimmingCharacters(in: CharacterSet(charactersIn: "<>")) })
        #expect(Set(copies.keys) == outboxIDs,
                "missing \(outboxIDs.subtracting(copies.keys).count), unknown \(Set(copies.keys).subtracting(outboxIDs).prefix(3))")
        for (id, sent) in copies where sent.count > 1 {
            #expect(sent.count == 2 && killed != nil && sent.filter { $0.by == killed }.count == 1 && sent[0].bytes == sent[1].bytes,
                    "\(id) delivered \(sent.count) times, by \(sent.map(\.by))")
        }
        // And every message the killed process was sending went out again (it never recorded it)
        let fromKilled = delivered.filter { killed != nil && $0.by == killed }
        for copy in fromKilled { #expect(copies[copy.messageID]?.count == 2, "\(copy.messageID) sent by the killed process only") }
        #expect(delivered.count == outbox.count + fromKilled.count)
        return (tickets.count, outbox.count)
    }
}
