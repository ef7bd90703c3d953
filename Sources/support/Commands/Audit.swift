import ArgumentParser
import Foundation
import SupportCore

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit trail: who changed what, and when",
        discussion: """
            Every recorded change, newest first: tickets (also deleted ones), settings and users (admin only). \
            Filters given several times (or comma-separated) match any of their values; different filters must all match.
            """
    )

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp(AuditEvent.Action.allCases.map(\.rawValue).joined(separator: ", ") + ".", valueName: "action"),
            completion: .list(AuditEvent.Action.allCases.map(\.rawValue)))
    var action: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Changes made by EMAIL.", valueName: "email"))
    var actor: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Changes to one ticket, e.g. ST-2026-001.", valueName: "ticket"))
    var ticket: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Made at or after DATE: " + DateInput.help + ".", valueName: "date"))
    var since: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Made before DATE (a bare day includes that day).", valueName: "date"))
    var until: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Page number, from 1.", valueName: "n"))
    var page: Int = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("Events per page, 1 to \(TicketQuery.maximumLimit).", valueName: "n"))
    var limit: Int = TicketQuery.defaultLimit

    @Flag(help: ArgumentHelp("""
        Instead of events, write the tickets the matching deletes removed, one NDJSON line each as `ticket export` \
        writes it (paging does not apply), for `ticket import`: support audit --ticket ST-2026-042 --deleted-tickets | \
        support ticket import restores it with its number. Exit 66 when no delete matches.
        """))
    var deletedTickets = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if deletedTickets, !action.isEmpty { throw ValidationError("--deleted-tickets reads ticket.deleted events only; leave out --action") }
        try OptionRange.check(page, 1...TicketQuery.maximumPage, "--page")
        try OptionRange.check(limit, 1...TicketQuery.maximumLimit, "--limit")
    }

    func run() throws {
        try Frontend.run(global) { frontend in
            var query = try query()
            let desk = try frontend.desk()
            query.ticketNumber = try ticket.map { try desk.ticketReference($0) }
            if deletedTickets {
                let lines = try desk.deletedTickets(query)
                guard !lines.isEmpty else { throw SupportError.notFound("no deleted ticket matches") }
                let out = LineWriter()
                for line in lines { out.write(line) }
                out.flush()
                return
            }
            let result = try desk.auditTrail(query)
            frontend.emit(json: JSONRenderer.audit(result)) { $0.audit(result) }
        }
    }

    func query(now: Date = Date()) throws -> AuditQuery {
        var query = AuditQuery()
        query.actions = try TicketFilterOptions.values(action).map { try AuditEvent.Action.parse($0) }
        query.actorEmail = actor
        // The ticket (ST-2026-042, 42, #42) is resolved against the database in run().
        query.since = try since.map { try DateInput.parse($0, now: now, field: "--since", zone: .current) }
        query.until = try until.map { try DateInput.parse($0, now: now, bound: .end, field: "--until", zone: .current) }
        query.page = page
        query.limit = limit
        return query
    }
}
