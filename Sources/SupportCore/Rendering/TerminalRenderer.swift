import Foundation

/// The human view of results. Takes domain values, never queries, never prints: it returns text.
public struct TerminalRenderer: Sendable {
    public let style: TerminalStyle
    /// How the reader asks for every reply, said where some are left out: the front end's words
    /// (the command line's is "--all shows every one"); nil says only that some are left out.
    public let showAllHint: String?

    public init(style: TerminalStyle, showAllHint: String? = nil) {
        self.style = style
        self.showAllHint = showAllHint
    }

    /// `leftOut`: what a default filter hid, said in the footer ("3 resolved or closed not shown").
    public func page(_ page: TicketPage, leftOut: String? = nil) -> String {
        guard !page.tickets.isEmpty else {
            let none = page.total == 0 ? "No tickets" : "No tickets on page \(TerminalText.count(page.page)) (there are \(TerminalText.count(page.pages)) pages)"
            return none + (leftOut.map { page.total == 0 ? "; \($0)." : " \($0)." } ?? ".")
        }
        let header = ["TICKET", "STATUS", "PRIORITY", "CATEGORY", "REQUESTER", "ASSIGNEE", "UPDATED", "SUBJECT"]
        let rows = page.tickets.map { t in
            [t.ticketNumber.description, t.status.title, t.priority.title, t.category.title,
             TerminalText.sanitize(t.submittedBy.email), t.assignedTo.map { TerminalText.sanitize($0.email) } ?? "-",
             Self.shortDate(t.updatedAt), TerminalText.sanitize(t.subject)]
        }
        // In a narrow window whole columns go, least needed first (category, updated, requester,
        // assignee, priority): the number, the status and the subject always stay.
        var text = table(header: header, rows: rows, flexibleColumn: 7, emailColumns: [4, 5], dropOrder: [3, 6, 4, 5, 2])
        text += "\n" + style.dim("Page \(TerminalText.count(page.page)) of \(TerminalText.count(page.pages)) · \(TerminalText.count(page.total)) ticket\(page.total == 1 ? "" : "s")"
            + (leftOut.map { " · \($0)" } ?? ""))
        return text
    }

    /// The tickets for a pipe (gh's rule): one tab-separated line each, no header, no footer,
    /// full ISO 8601 times; a tab or line break inside a cell becomes a space.
    public func tabSeparated(_ page: TicketPage) -> String {
        func cell(_ text: String) -> String {
            TerminalText.sanitize(text.replacing("\t", with: " ").replacing("\r\n", with: " ").replacing("\n", with: " "))
        }
        return page.tickets.map { t in
            [t.ticketNumber.description, t.status.slug, t.priority.slug, t.category.slug, cell(t.submittedBy.email),
             t.assignedTo.map { cell($0.email) } ?? "", ISO8601.string(t.updatedAt), cell(t.subject)].joined(separator: "\t")
        }.joined(separator: "\n")
    }

    public func ticket(_ t: Ticket) -> String {
        var text = ticketHead(t)
        for r in t.responses { text += "\n" + reply(r, attachments: t.attachments) }
        if t.responses.isEmpty { text += "\n\n" + style.dim("No replies yet.") }
        return text
    }

    /// `ticket show` written reply by reply: the ticket's fields and message, with a line saying
    /// how many earlier replies are left out (`total - shown`) when any are.
    public func ticketHead(_ t: Ticket, total: Int, shown: Int) -> String {
        var text = ticketHead(t)
        if total == 0 {
            text += "\n\n" + style.dim("No replies yet.")
        } else if shown < total {
            text += "\n\n" + style.dim("… \(total - shown) earlier repl\(total - shown == 1 ? "y" : "ies") not shown" + (showAllHint.map { " (\($0))" } ?? ""))
        }
        return text
    }

    /// One reply of `ticket show`, with the blank line before it.
    /// `attachments`: the ticket's files; those that came with this reply are listed under it.
    public func reply(_ r: TicketResponse, attachments: [TicketAttachment] = []) -> String {
        let kind = r.isInternal ? style.paint("internal note", "1;35") : "reply"
        return (["\n" + style.dim("── ") + "\(kind) by \(person(r.respondedBy)) · \(Self.longDate(r.createdAt))",
                 indent(TerminalText.sanitize(r.message, multiline: true))]
                + attachmentLines(attachments.filter { $0.responseID == r.id })).joined(separator: "\n")
    }

    /// The footer of `ticket show` when replies were left out.
    public func ticketFooter(total: Int, shown: Int) -> String? {
        guard shown < total else { return nil }
        return "\n" + style.dim("Showing the newest \(shown) of \(total) replies; \(total - shown) earlier not shown" + (showAllHint.map { " (\($0))." } ?? "."))
    }

    func ticketHead(_ t: Ticket) -> String {
        var lines: [String] = []
        lines.append("\(style.bold(t.ticketNumber.description))  \(style.badge(t.status)) \(style.badge(t.priority))  \(style.bold(TerminalText.sanitize(t.subject)))")
        lines.append(field("Category", t.category.title))
        lines.append(field("Requester", person(t.submittedBy)))
        lines.append(field("Assignee", t.assignedTo.map(person) ?? "nobody"))
        lines.append(field("Created", Self.longDate(t.createdAt)))
        lines.append(field("Updated", Self.longDate(t.updatedAt)))
        if let d = t.resolvedAt { lines.append(field("Resolved", Self.longDate(d))) }
        if let d = t.closedAt { lines.append(field("Closed", Self.longDate(d))) }
        lines.append("")
        lines.append(indent(TerminalText.sanitize(t.message, multiline: true)))
        lines += attachmentLines(t.attachments.filter { $0.responseID == nil })
        return lines.joined(separator: "\n")
    }

    /// `attachment 12: report.pdf (application/pdf, 1.2 MB)`, one line each, under the message
    /// they came with; `support attachment get 12` fetches one.
    func attachmentLines(_ attachments: [TicketAttachment]) -> [String] {
        attachments.map { a in
            "  " + style.dim("attachment \(a.id):") + " \(TerminalText.sanitize(a.fileName)) "
                + style.dim("(\(TerminalText.sanitize(a.contentType)), \(Self.byteCount(a.size)))")
        }
    }

    /// 812 bytes, 12.3 kB, 4.5 MB: decimal units, as `ls -h --si` and file managers show them.
    static func byteCount(_ bytes: Int) -> String {
        if bytes < 1000 { return "\(bytes) byte\(bytes == 1 ? "" : "s")" }
        let units = ["kB", "MB", "GB"]
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f %@", value, units[unit])
    }

    public func response(_ r: TicketResponse, on number: TicketNumber) -> String {
        "\(r.isInternal ? "Internal note" : "Reply") added to \(number)."
    }

    public func users(_ users: [User]) -> String {
        guard !users.isEmpty else { return "No users." }
        return table(header: ["EMAIL", "NAME", "ROLE", "LOGIN", "SINCE"],
                     rows: users.map { [TerminalText.sanitize($0.email), TerminalText.sanitize($0.name), $0.role.rawValue,
                                        $0.login ?? "-", Self.shortDate($0.createdAt)] },
                     flexibleColumn: 1, emailColumns: [0], dropOrder: [4, 3])
    }

    public func user(_ u: User) -> String {
        "\(TerminalText.sanitize(u.name)) <\(u.email)>  role: \(u.role.rawValue)" + (u.login.map { "  login: \($0)" } ?? "")
    }

    public func settings(_ settings: [SettingKey: String]) -> String {
        SettingKey.allCases.map { key in
            let value = settings[key] ?? key.defaultValue
            if value.contains("\n") {
                return "\(style.bold(key.rawValue)):\n" + indent(TerminalText.sanitize(value, multiline: true))
            }
            return "\(style.bold(key.rawValue)) = \(TerminalText.sanitize(value))"
        }.joined(separator: "\n")
    }

    public func history(_ events: [AuditEvent]) -> String {
        guard !events.isEmpty else { return "No history." }
        return events.map { e in
            "\(Self.shortDate(e.createdAt))  \(person(e.actor))  \(change(e))"
        }.joined(separator: "\n")
    }

    /// The audit trail as a table, newest first, with the page line of `ticket list`.
    public func audit(_ page: AuditPage) -> String {
        guard !page.events.isEmpty else {
            return page.total == 0 ? "No audit events." : "No events on page \(page.page) (there are \(page.pages) pages)."
        }
        let rows = page.events.map { e in
            [Self.shortDate(e.createdAt), TerminalText.sanitize(e.actor.email), e.action.rawValue,
             e.ticketNumber.map { TerminalText.sanitize($0) } ?? "-", change(e)]
        }
        var text = table(header: ["TIME", "ACTOR", "ACTION", "TICKET", "CHANGE"], rows: rows, flexibleColumn: 4,
                         emailColumns: [1], dropOrder: [3])
        text += "\n" + style.dim("Page \(TerminalText.count(page.page)) of \(TerminalText.count(page.pages)) · \(TerminalText.count(page.total)) event\(page.total == 1 ? "" : "s")")
        return text
    }

    /// What one event did, in words: "changed status: Open → Resolved".
    func change(_ e: AuditEvent) -> String {
        switch e.action {
        case .ticketCreated:
            // An import records the opening at the ticket's own time, by whoever imported it.
            return e.field == "import" ? "opened the ticket (imported)" : "opened the ticket"
        case .ticketReplied: return "replied"
        case .ticketNoted: return "added an internal note"
        case .ticketDeleted: return "deleted the ticket"
        case .userAdded:
            return "added \(TerminalText.sanitize(e.field ?? "?")) as \(TerminalText.sanitize(e.newValue ?? "?"))"
        case .ticketChanged, .settingChanged, .userChanged:
            var field = TerminalText.sanitize(e.field ?? "")
            if field == "message" && e.action == .ticketChanged { return "changed the message" }
            // The record (and --json) keep the seed's field name; people read "assignee".
            if field == "assignedTo" && e.action == .ticketChanged { field = "assignee" }
            return "changed \(field): \(shownValue(e.oldValue, of: e.action)) → \(shownValue(e.newValue, of: e.action))"
        }
    }

    /// An old or new value on one line: a missing assignee is "nobody", an empty setting "(empty)",
    /// a template's line breaks "⏎", at most 60 columns.
    func shownValue(_ value: String?, of action: AuditEvent.Action) -> String {
        guard let value else { return "nobody" }
        if value.isEmpty && action != .ticketChanged { return "(empty)" }
        let oneLine = action == .ticketChanged ? value : value.replacingOccurrences(of: "\n", with: "⏎")
        return TerminalText.truncate(TerminalText.sanitize(oneLine), to: 60)
    }

    // MARK: Pieces

    func person(_ p: Person) -> String {
        "\(TerminalText.sanitize(p.name)) <\(TerminalText.sanitize(p.email))>"
    }

    func field(_ name: String, _ value: String) -> String {
        style.dim(TerminalText.pad(name + ":", to: 11)) + value
    }

    func indent(_ text: String) -> String {
        var out: [UInt8] = Array("    ".utf8)
        out.reserveCapacity(text.utf8.count + 64)
        for byte in text.utf8 {
            out.append(byte)
            if byte == UInt8(ascii: "\n") { out.append(contentsOf: "    ".utf8) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An aligned table that fits the terminal's width. When the natural widths do not fit, the
    /// flexible column (a subject) gives up room down to `flexibleRoom`, then the email columns
    /// are shortened, widest first, down to `emailRoom` each (keeping the domain: `jane.d…@example.com`),
    /// and only then the flexible column down to 10: the subject is what an agent reads. When
    /// even that is too wide, the columns of `dropOrder` are left out, in that order, until it fits.
    func table(header: [String], rows: [[String]], flexibleColumn: Int, emailColumns: Set<Int> = [],
               dropOrder: [Int] = []) -> String {
        var widths = header.map(TerminalText.width)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], TerminalText.width(cell)) }
        }
        let flexibleRoom = 24, emailRoom = 16
        func narrowest(_ column: Int) -> Int {
            if column == flexibleColumn { return min(widths[column], flexibleRoom) }
            if emailColumns.contains(column) { return min(widths[column], max(emailRoom, TerminalText.width(header[column]))) }
            return widths[column]
        }
        var shown = Array(header.indices)
        func total(_ width: (Int) -> Int) -> Int { shown.map(width).reduce(0, +) + 2 * (shown.count - 1) }
        for column in dropOrder where total(narrowest) > style.width {
            shown.removeAll { $0 == column }
        }
        var excess = total { widths[$0] } - style.width
        func give(_ column: Int, downTo floor: Int) {
            let given = max(0, min(excess, widths[column] - floor))
            widths[column] -= given
            excess -= given
        }
        give(flexibleColumn, downTo: narrowest(flexibleColumn))
        while excess > 0, let widest = emailColumns.filter({ shown.contains($0) && widths[$0] > narrowest($0) })
                                                     .max(by: { widths[$0] < widths[$1] }) {
            widths[widest] -= 1
            excess -= 1
        }
        give(flexibleColumn, downTo: min(widths[flexibleColumn], 10))
        func line(_ cells: [String]) -> String {
            shown.map { i in
                let cut = emailColumns.contains(i) ? TerminalText.shortenEmail(cells[i], to: widths[i]) : TerminalText.truncate(cells[i], to: widths[i])
                return i == shown.last ? cut : TerminalText.pad(cut, to: widths[i])
            }.joined(separator: "  ")
        }
        return ([style.bold(line(header))] + rows.map(line)).joined(separator: "\n")
    }

    /// "2026-11-26 17:22 CET": the local zone (`TZ`), named, since a bare time would be read as
    /// the reader's own (`--json` keeps UTC ISO 8601).
    public static func shortDate(_ date: Date) -> String {
        LocalZone.current.minutesNamed(date)
    }

    static func longDate(_ date: Date) -> String { shortDate(date) }
}
