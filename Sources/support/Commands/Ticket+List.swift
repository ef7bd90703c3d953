import ArgumentParser
import Foundation
import SupportCore

extension Ticket {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List open and in-progress tickets, newest first: a requester sees their own, staff see all.",
            discussion: """
                Without --status only open and in-progress tickets are listed (the footer says how many others \
                there are); --status all lists every status. Filters given several times (or comma-separated) \
                match any of their values; different filters must all match. When stdout is not a terminal, \
                each ticket is one tab-separated line (number, status, priority, category, requester, assignee, \
                updated, subject) without header or footer.
                """,
            aliases: ["ls"]
        )

        /// What `ticket list` shows without `--status`, as gh shows open issues.
        static let defaultStatuses: [TicketStatus] = [.open, .inProgress]

        @OptionGroup var filters: TicketFilterOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Page number, from 1.", valueName: "n"))
        var page: Int = 1

        @Option(parsing: .unconditional, help: ArgumentHelp("Tickets per page, 1 to \(TicketQuery.maximumLimit).", valueName: "n"))
        var limit: Int = TicketQuery.defaultLimit

        @Flag(help: "Print only the ticket numbers, one a line.")
        var ids = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            try OptionRange.check(page, 1...TicketQuery.maximumPage, "--page")
            try OptionRange.check(limit, 1...TicketQuery.maximumLimit, "--limit")
            if ids && global.json { throw ValidationError("--ids and --json cannot be used together") }
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                var query = try filters.query(defaultStatuses: Self.defaultStatuses)
                query.page = page
                query.limit = limit
                let desk = try frontend.desk()
                let result = try desk.listTickets(query)
                if ids {
                    if !result.tickets.isEmpty { Output.result(result.tickets.map(\.ticketNumber.description).joined(separator: "\n")) }
                    return
                }
                if !global.json && !Frontend.stdoutIsTerminal {
                    // A pipe gets rows only: nothing for a script to strip, nothing when none match.
                    if !result.tickets.isEmpty { Output.result(TerminalRenderer(style: .plain).tabSeparated(result)) }
                    return
                }
                var leftOut: String?
                if filters.status.isEmpty && !global.json {
                    // The same filters over the statuses the default hides: one COUNT, no rows.
                    var hidden = query
                    hidden.statuses = TicketStatus.allCases.filter { !Self.defaultStatuses.contains($0) }
                    hidden.page = 1
                    hidden.limit = 1
                    let count = try desk.listTickets(hidden).total
                    if count > 0 { leftOut = "\(TerminalText.count(count)) resolved or closed not shown (--status all)" }
                }
                frontend.emit(json: JSONRenderer.page(result)) { $0.page(result, leftOut: leftOut) }
            }
        }
    }
}

/// The filters shared by `ticket list` and `ticket export`.
struct TicketFilterOptions: ParsableArguments {
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("open, in-progress, resolved, closed, or all.", valueName: "status"),
            completion: .list(TicketStatus.allCases.map(\.slug)))
    var status: [String] = []

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("low, medium, high, critical.", valueName: "priority"),
            completion: .list(TicketPriority.allCases.map(\.slug)))
    var priority: [String] = []

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("technical-issue, account-issue, feature-request, general-inquiry, bug-report.", valueName: "category"),
            completion: .list(TicketCategory.allCases.map(\.slug)))
    var category: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Assigned to EMAIL, to me, or to none.", valueName: "email|me|none"))
    var assignee: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Opened by EMAIL.", valueName: "email"))
    var requester: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Created at or after DATE: " + DateInput.help + ".", valueName: "date"))
    var since: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Created before DATE (a bare day includes that day).", valueName: "date"))
    var until: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Words to find in subject, message and replies (every word must occur; staff: internal notes too).",
                               valueName: "text"))
    var search: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("""
        created (newest first; with --search, the newest entered first), updated, priority, status, \
        or relevance (with --search: best match first, words in the subject counting most).
        """, valueName: "order"),
            completion: .list(TicketSort.allCases.map(\.rawValue)))
    var sort: String = TicketSort.created.rawValue

    @Flag(help: "Reverse the order (oldest first for created).")
    var reverse = false

    /// `defaultStatuses`: the statuses matched when `--status` is not given (`ticket list`: open
    /// and in progress; export: every status). `--status all` matches every status.
    func query(now: Date = Date(), defaultStatuses: [TicketStatus] = []) throws -> TicketQuery {
        var query = TicketQuery()
        let statuses = Self.values(status)
        if statuses.contains(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == "all" }) {
            query.statuses = []
        } else {
            query.statuses = statuses.isEmpty ? defaultStatuses : try statuses.map { try TicketStatus.parse($0) }
        }
        query.priorities = try Self.values(priority).map { try TicketPriority.parse($0) }
        query.categories = try Self.values(category).map { try TicketCategory.parse($0) }
        if let assignee {
            switch assignee.trimmingCharacters(in: .whitespaces).lowercased() {
            case "me": query.assignee = .me
            case "none", "nobody": query.assignee = TicketQuery.Assignee.nobody
            default: query.assignee = .email(assignee)
            }
        }
        query.requesterEmail = requester
        query.since = try since.map { try DateInput.parse($0, now: now, field: "--since", zone: .current) }
        query.until = try until.map { try DateInput.parse($0, now: now, bound: .end, field: "--until", zone: .current) }
        query.search = search
        guard let order = TicketSort(rawValue: sort.lowercased()) else {
            throw SupportError.invalidInput(field: "sort",
                "unknown sort '\(Validation.printable(sort))' (expected created, updated, priority, status or relevance)")
        }
        if order == .relevance && search == nil {
            throw SupportError.invalidInput(field: "sort", "--sort relevance needs --search")
        }
        query.sort = order
        query.reverse = reverse
        return query
    }

    /// `--status open,closed --status resolved` → three values. Empty pieces are kept so that they
    /// are refused: `--status ""` (an empty script variable) must not quietly mean "any status".
    static func values(_ options: [String]) -> [String] {
        options.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }
}
