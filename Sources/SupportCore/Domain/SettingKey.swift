import Foundation
import Mustache

/// Every setting `support settings set` accepts, with its default and its validation.
/// Values are stored as text, already normalised (e.g. `true`/`false` for booleans).
public enum SettingKey: String, CaseIterable, Sendable {
    case supportEmail = "support_email"
    case supportName = "support_name"
    case supportAutoResponse = "support_auto_response"
    case supportAssignmentNotice = "support_assignment_notice"
    case supportEmailTemplate = "support_email_template"
    case ticketRateLimitPerHour = "ticket_rate_limit_per_hour"
    case replyRateLimitPerHour = "reply_rate_limit_per_hour"
    case sendmailCommand = "sendmail_command"
    case mailMaxAttempts = "mail_max_attempts"
    case mailDefaultCategory = "mail_default_category"
    case mailDefaultPriority = "mail_default_priority"
    case mailReopenDays = "mail_reopen_days"
    case mailMaxBytes = "mail_max_bytes"
    case mailAutoResponsesPerHour = "mail_auto_responses_per_hour"
    case attachmentMaxBytes = "attachment_max_bytes"
    case attachmentMaxTotalBytes = "attachment_max_total_bytes"

    public var summary: String {
        switch self {
        case .supportEmail: "address that receives new-ticket notices and sends all mail (empty: no mail)"
        case .supportName: "display name on outgoing mail"
        case .supportAutoResponse: "send the requester an auto-response on a new ticket (true/false)"
        case .supportAssignmentNotice: "mail a staff member when someone else assigns them a ticket (true/false)"
        case .supportEmailTemplate: "Mustache template of the auto-response (plain text)"
        case .ticketRateLimitPerHour: "tickets a requester may open per hour (0: no limit)"
        case .replyRateLimitPerHour: "replies a requester may add per hour, over all their tickets (0: no limit)"
        case .sendmailCommand: "mail program and its arguments; recipients are appended after --"
        case .mailMaxAttempts: "failed sends before a message is marked failed"
        case .mailDefaultCategory: "category of a ticket opened by mail"
        case .mailDefaultPriority: "priority of a ticket opened by mail"
        case .mailReopenDays: "days after closing within which a mail reply reopens a ticket; later ones open a new ticket"
        case .mailMaxBytes: "largest message mail ingest stores; a larger one is kept cut and quarantined"
        case .mailAutoResponsesPerHour: "auto-responses to one address per hour for tickets opened by mail (0: no limit)"
        case .attachmentMaxBytes: "largest file --attach accepts"
        case .attachmentMaxTotalBytes: "most bytes the --attach files of one ticket or reply may add up to"
        }
    }

    public var defaultValue: String {
        switch self {
        case .supportEmail: ""
        case .supportName: "Support"
        case .supportAutoResponse: "false"
        case .supportAssignmentNotice: "true"
        case .supportEmailTemplate: Self.defaultTemplate
        case .ticketRateLimitPerHour: "10"
        case .replyRateLimitPerHour: "60"
        case .sendmailCommand: "/usr/sbin/sendmail -i"
        case .mailMaxAttempts: "8"
        case .mailDefaultCategory: TicketCategory.generalInquiry.slug
        case .mailDefaultPriority: TicketPriority.medium.slug
        case .mailReopenDays: "30"
        case .mailMaxBytes: String(25 * 1024 * 1024)
        case .mailAutoResponsesPerHour: "3"
        case .attachmentMaxBytes: String(10 * 1024 * 1024)
        case .attachmentMaxTotalBytes: String(20 * 1024 * 1024)
        }
    }

    public static func parse(_ text: String) throws(SupportError) -> SettingKey {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
        guard let match = SettingKey(rawValue: key) else {
            throw .invalidInput(field: "key", "unknown setting '\(Validation.printable(text))' (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return match
    }

    /// The value as it will be stored, or a clear refusal.
    public func normalize(_ value: String) throws(SupportError) -> String {
        let field = rawValue
        switch self {
        case .supportEmail:
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? "" : try Validation.email(trimmed, field: field)
        case .supportName:
            return try Validation.oneLine(value, field: field, maxCharacters: Validation.nameMaxCharacters)
        case .supportAutoResponse, .supportAssignmentNotice:
            switch value.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "yes", "on", "1": return "true"
            case "false", "no", "off", "0": return "false"
            default: throw .invalidInput(field: field, "\(field) must be true or false")
            }
        case .supportEmailTemplate:
            let text = try Validation.text(value, field: field)
            try Self.checkTemplate(text)
            return text
        case .ticketRateLimitPerHour, .replyRateLimitPerHour:
            return String(try Self.integer(value, field: field, in: 0...100_000))
        case .mailMaxAttempts:
            return String(try Self.integer(value, field: field, in: 1...100))
        case .mailDefaultCategory:
            return try TicketCategory.parse(value).slug
        case .mailDefaultPriority:
            return try TicketPriority.parse(value).slug
        case .mailReopenDays:
            return String(try Self.integer(value, field: field, in: 0...36_500))
        case .mailAutoResponsesPerHour:
            return String(try Self.integer(value, field: field, in: 0...1000))
        case .attachmentMaxBytes, .attachmentMaxTotalBytes:
            // Base64 makes a file a third larger in the mail that carries it; 500 MB is far past
            // what any mail server accepts.
            return String(try Self.integer(value, field: field, in: 0...500_000_000))
        case .mailMaxBytes:
            // At least 64 KiB (a message with a short attachment), under 1 GB.
            return String(try Self.integer(value, field: field, in: 65_536...999_999_999))
        case .sendmailCommand:
            let line = try Validation.oneLine(value, field: field, maxCharacters: 1000)
            let words = try CommandLineWords.split(line)
            guard let program = words.first, program.hasPrefix("/") || !program.contains("/") else {
                throw .invalidInput(field: field, "\(field) must start with a program name or an absolute path")
            }
            return line
        }
    }

    static func integer(_ value: String, field: String, in range: ClosedRange<Int>) throws(SupportError) -> Int {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= 9, trimmed.allSatisfy(\.isASCIIDigit), let n = Int(trimmed), range.contains(n) else {
            throw .invalidInput(field: field, "\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// Plain-text templates: nothing is HTML-escaped in mail.
    public static let templatePrefix = "{{% CONTENT_TYPE: TEXT}}"

    /// The most an auto-response may be: four times the longest message.
    public static let templateRenderMaxBytes = 4 * Validation.messageMaxBytes

    /// The UTF-8 length `template` renders to with `values`, without rendering the values: a
    /// template's output grows linearly with the length of each (non-empty) value, so renders
    /// with one- and two-byte stand-ins give how often each is used. Cheap for any values.
    static func renderedLength(_ template: MustacheTemplate, values: [String: String]) -> Int {
        let ones = values.mapValues { $0.isEmpty ? "" : "x" }
        let base = template.render(ones).utf8.count
        var total = base
        for (key, value) in values where !value.isEmpty {
            var twos = ones
            twos[key] = "xx"
            total += (template.render(twos).utf8.count - base) * (value.utf8.count - 1)
        }
        return total
    }

    static func checkTemplate(_ text: String) throws(SupportError) {
        // Names first: a misspelt variable rendered as nothing, and a transform such as
        // {{uppercased(message)}} could grow a value past what the length check below measures
        // ("ß" upper-cases to "SS"), so only the plain variables are allowed.
        try checkTemplateTags(text)
        let parsed: MustacheTemplate
        do {
            parsed = try MustacheTemplate(string: templatePrefix + text)
        } catch let error as MustacheTemplate.ParserError {
            let column = error.context.lineNumber == 1 ? error.context.columnNumber - templatePrefix.count : error.context.columnNumber
            throw .invalidInput(
                field: "support_email_template",
                "template does not parse at line \(error.context.lineNumber), column \(max(1, column)): \(describe(error.error))")
        } catch {
            throw .invalidInput(field: "support_email_template", "template does not parse: a {{…}} tag is not closed or not valid")
        }
        if let problem = templateProblem(parsed) {
            throw .invalidInput(field: "support_email_template", Wording(problem))
        }
    }

    /// Why `parsed` cannot be sent, or nil: it may render past the limit for the longest ticket,
    /// or render nothing but blanks for the shortest. Checked at `settings set` and again at send
    /// time (a template stored before these checks, or written into the file by other means).
    static func templateProblem(_ parsed: MustacheTemplate) -> String? {
        let longest = renderedLength(parsed, values: MailPlanner.longestTemplateValues)
        if longest > templateRenderMaxBytes {
            return "the template can render \(longest / 1024) KiB for a ticket with a 64 KiB message; "
                + "the limit is \(templateRenderMaxBytes / 1024) KiB: use {{message}} fewer times"
        }
        if parsed.render(MailPlanner.shortestTemplateValues).allSatisfy(\.isWhitespace) {
            return "the template renders an empty letter; write some text or use {{message}}"
        }
        return nil
    }

    /// The variables a template may name (`MailPlanner.templateVariables`).
    public static let templateVariableNames = MailPlanner.longestTemplateValues.keys.sorted()

    /// Every `{{…}}` tag must be a comment or name one of `templateVariableNames`, plainly, as a
    /// section or an inverted section. Set-delimiter tags, partials, dotted names and transforms
    /// are refused: they are what made a template's size and meaning unpredictable.
    static func checkTemplateTags(_ text: String) throws(SupportError) {
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            var after = rest[open.upperBound...]
            let triple = after.hasPrefix("{")
            if triple { after = after.dropFirst() }
            guard let close = after.range(of: triple ? "}}}" : "}}") else {
                throw .invalidInput(field: "support_email_template", "template does not parse: a {{ is never closed")
            }
            var tag = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = after[close.upperBound...]
            if tag.hasPrefix("!") { continue }
            if let sigil = tag.first, "#^/&".contains(sigil) { tag = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces) }
            guard templateVariableNames.contains(tag) else {
                let shown = Validation.printable(String(tag.prefix(60)))
                throw .invalidInput(
                    field: "support_email_template",
                    "template: unknown variable '\(shown)' (known: \(templateVariableNames.joined(separator: ", ")))")
            }
        }
    }

    /// A parser error in words: the library's case names mean nothing to an admin.
    static func describe(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: "a closing {{/…}} does not match the section it closes"
        case .unfinishedName?: "a {{…}} tag is not finished"
        case .expectedSectionEnd?: "a section {{#…}} is never closed"
        case .invalidSetDelimiter?: "a delimiter change is not valid"
        default: "the template is not valid"
        }
    }

    public static let defaultTemplate = """
        Hello {{requester_name}},

        Thank you for contacting {{support_name}}. We have received your request and opened
        ticket {{ticket_number}}:

          Subject:  {{subject}}
          Category: {{category}}
          Priority: {{priority}}

        We will get back to you as soon as we can. To add anything, reply to this message
        and keep [{{ticket_number}}] in the subject.

        {{support_name}}
        """
}

/// The settings as stored, read with their defaults: the one place a missing or unreadable value
/// falls back, so no caller repeats a default as a literal.
extension Dictionary where Key == SettingKey, Value == String {
    public func text(_ key: SettingKey) -> String { self[key] ?? key.defaultValue }

    public func integer(_ key: SettingKey) -> Int { Int(self[key] ?? "") ?? Int(key.defaultValue) ?? 0 }

    /// `true`/`false` settings; anything but the stored word `true` (or the default, when unset) is false.
    public func flag(_ key: SettingKey) -> Bool { text(key) == "true" }
}
