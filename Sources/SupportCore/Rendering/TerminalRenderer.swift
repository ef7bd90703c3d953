import Foundation

/// The human view of results. Takes domain values, never queries, never prints: it returns text.
public struct TerminalRenderer: Sendable {
    public let style: TerminalStyle

    public init(style: TerminalStyle) {
        self.style = style
    }

    public func page(_ page: TicketPage) -> String {
        guard !page.tickets.isEmpty else {
            return page.total == 0 ? "No tickets." : "No tickets on page \(page.page) (there are \(page.pages) pages)."
        }
        let header = ["TICKET", "STATUS", "PRIORITY", "CATEGORY", "REQUESTER", "ASSIGNEE", "UPDATED", "SUBJECT"]
        let rows = page.tickets.map { t in
            [t.ticketNumber.description, t.status.title, t.priority.title, t.category.title,
             TerminalText.sanitize(t.submittedBy.email), t.assignedTo.map { TerminalText.sanitize($0.email) } ?? "-",
             Self.shortDate(t.updatedAt), TerminalText.sanitize(t.subject)]
        }
        var text = table(header: header, rows: rows, flexibleColumn: 7)
        text += "\n" + style.dim("Page \(page.page) of \(page.pages) · \(page.total) ticket\(page.total == 1 ? "" : "s")")
        return text
    }

    public func ticket(_ t: Ticket) -> String {
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
        for r in t.responses {
            lines.append("")
            let kind = r.isInternal ? style.paint("internal note", "1;35") : "reply"
            lines.append(style.dim("── ") + "\(kind) by \(person(r.respondedBy)) · \(Self.longDate(r.createdAt))")
            lines.append(indent(TerminalText.sanitize(r.message, multiline: true)))
        }
        if t.responses.isEmpty {
            lines.append("")
            lines.append(style.dim("No replies yet."))
        }
        return lines.joined(separator: "\n")
    }

    public func response(_ r: TicketResponse, on number: TicketNumber) -> String {
        "\(r.isInternal ? "Internal note" : "Reply") added to \(number)."
    }

    public func users(_ users: [User]) -> String {
        guard !users.isEmpty else { return "No users." }
        return table(header: ["EMAIL", "NAME", "ROLE", "LOGIN", "SINCE"],
                     rows: users.map { [TerminalText.sanitize($0.email), TerminalText.sanitize($0.name), $0.role.rawValue,
                                        $0.login ?? "-", Self.shortDate($0.createdAt)] },
                     flexibleColumn: 1)
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
        var text = table(header: ["TIME", "ACTOR", "ACTION", "TICKET", "CHANGE"], rows: rows, flexibleColumn: 4)
        text += "\n" + style.dim("Page \(page.page) of \(page.pages) · \(page.total) event\(page.total == 1 ? "" : "s")")
        return text
    }

    /// What one event did, in words: "changed status: Open → Resolved".
    func change(_ e: AuditEvent) -> String {
        switch e.action {
        case .ticketCreated: return "opened the ticket"
        case .ticketReplied: return "replied"
        case .ticketNoted: return "added an internal note"
        case .ticketDeleted: return "deleted the ticket"
        case .userAdded:
            return "added \(TerminalText.sanitize(e.field ?? "?")) as \(TerminalText.sanitize(e.newValue ?? "?"))"
        case .ticketChanged, .settingChanged, .userChanged:
            let field = TerminalText.sanitize(e.field ?? "")
            if field == "message" && e.action == .ticketChanged { return "changed the message" }
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

    /// An aligned table; the flexible column takes what is left of the terminal width.
    func table(header: [String], rows: [[String]], flexibleColumn: Int) -> String {
        var widths = header.map(TerminalText.width)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], TerminalText.width(cell)) }
        }
        let fixed = widths.enumerated().filter { $0.offset != flexibleColumn }.reduce(0) { $0 + $1.element } + 2 * (widths.count - 1)
        widths[flexibleColumn] = max(10, min(widths[flexibleColumn], style.width - fixed))
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let cut = TerminalText.truncate(cell, to: widths[i])
                return i == cells.count - 1 ? cut : TerminalText.pad(cut, to: widths[i])
            }.joined(separator: "  ")
        }
        return ([style.bold(line(header))] + rows.map(line)).joined(separator: "\n")
    }

    static func shortDate(_ date: Date) -> String {
        CivilTime(date).minutes
    }

    static func longDate(_ date: Date) -> String { shortDate(date) + " UTC" }
}
