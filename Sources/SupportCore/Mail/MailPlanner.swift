import Foundation
import Mustache

/// Decides who is mailed what when something happens to a ticket (the rules of SPEC's "Mail"),
/// and writes the messages. Pure: the store calls it inside the transaction of the change.
public struct MailPlanner: Sendable {
    public let settings: [SettingKey: String]
    /// Who made the change; they are never mailed about it (the auto-response excepted: it exists
    /// to tell the requester their own ticket arrived).
    public let actorEmail: String
    public let now: Date
    /// Set by the command: a staff reply given `--no-notify` mails nobody.
    public let notifyRequester: Bool
    /// Signs every Message-ID with the desk's secret, so replies can be matched to their ticket.
    public let signer: MessageIDSigner
    /// The files of the new ticket or reply: the new-ticket notice and reply notifications carry
    /// them (the auto-response and status mail do not: the requester has them already).
    public let attachments: [AttachmentUpload]

    public init(settings: [SettingKey: String], actorEmail: String, now: Date, signer: MessageIDSigner, notifyRequester: Bool = true,
                attachments: [AttachmentUpload] = []) {
        self.settings = settings
        self.attachments = attachments
        self.signer = signer
        self.actorEmail = actorEmail.lowercased()
        self.now = now
        self.notifyRequester = notifyRequester
    }

    var supportEmail: String? {
        let value = settings.text(.supportEmail)
        return value.isEmpty ? nil : value
    }

    var supportName: String { settings.text(.supportName) }

    public func drafts(for event: MailEvent, on ticket: Ticket) -> [OutboxDraft] {
        guard let support = supportEmail else { return [] }
        var drafts: [OutboxDraft] = []
        let requester = ticket.submittedBy
        let tag = "[\(ticket.ticketNumber)]"
        switch event {
        case .ticketCreated:
            if support != actorEmail {
                drafts.append(draft(ticket, .newTicket, to: MailAddress(email: support),
                                    subject: "\(tag) \(ticket.subject)",
                                    body: newTicketBody(ticket), replyTo: MailAddress(name: requester.name, email: requester.email),
                                    isThreadRoot: true, automatic: nil))
            }
            if settings.flag(.supportAutoResponse), requester.email != support {
                let body = autoResponseBody(ticket)
                var response = draft(ticket, .autoResponse, to: MailAddress(name: requester.name, email: requester.email),
                                     subject: "\(tag) \(ticket.subject)",
                                     body: (try? body.get()) ?? "(not sent: the auto-response template cannot be used)",
                                     replyTo: nil, isThreadRoot: false, automatic: "auto-replied")
                if case .failure(let failure) = body { response.failure = failure.reason }
                drafts.append(response)
            }
        case .replied(let response):
            if response.isInternal { return [] }
            if response.respondedBy.role.isStaff || response.respondedBy.email != requester.email {
                guard notifyRequester, requester.email != actorEmail else { return [] }
                drafts.append(draft(ticket, .staffReply, to: MailAddress(name: requester.name, email: requester.email),
                                    subject: "Re: \(tag) \(ticket.subject)", body: replyBody(ticket, response),
                                    replyTo: nil, isThreadRoot: false, automatic: nil))
            } else {
                let target = ticket.assignedTo.map { MailAddress(name: $0.name, email: $0.email) } ?? MailAddress(email: support)
                guard target.email != actorEmail else { return [] }
                drafts.append(draft(ticket, .requesterReply, to: target,
                                    subject: "Re: \(tag) \(ticket.subject)", body: replyBody(ticket, response),
                                    replyTo: MailAddress(name: requester.name, email: requester.email),
                                    isThreadRoot: false, automatic: nil))
            }
        case .statusChanged(let old):
            guard ticket.status != old, ticket.status == .resolved || ticket.status == .closed,
                  requester.email != actorEmail
            else { return [] }
            drafts.append(draft(ticket, .statusChange, to: MailAddress(name: requester.name, email: requester.email),
                                subject: "\(tag) \(ticket.status.title): \(ticket.subject)",
                                body: statusBody(ticket), replyTo: nil, isThreadRoot: false, automatic: "auto-generated"))
        case .assigned(let previous):
            // Nobody is told what they did themself (taking a ticket), nor told twice.
            guard let assignee = ticket.assignedTo, assignee.email.lowercased() != previous?.lowercased(),
                  assignee.email.lowercased() != actorEmail, settings.flag(.supportAssignmentNotice)
            else { return [] }
            drafts.append(draft(ticket, .assignment, to: MailAddress(name: assignee.name, email: assignee.email),
                                subject: "\(tag) Assigned to you: \(ticket.subject)", body: assignmentBody(ticket),
                                replyTo: MailAddress(name: requester.name, email: requester.email),
                                isThreadRoot: false, automatic: "auto-generated"))
        }
        return drafts
    }

    // MARK: Messages

    /// The first message of a ticket's thread (the new-ticket notice to the desk); every later
    /// message points at it, so it is made again, the same, from the ticket alone.
    func threadRootID(_ ticket: Ticket, domain: String) -> String {
        signer.messageID(ticket: ticket.ticketNumber, recipient: supportEmail ?? "",
                         nonce: MessageIDSigner.nonce(millisecondsSince1970: Int64(ticket.createdAt.timeIntervalSince1970 * 1000), random: nil),
                         domain: domain)
    }

    func draft(_ ticket: Ticket, _ kind: MailKind, to recipient: MailAddress, subject: String, body: String,
               replyTo: MailAddress?, isThreadRoot: Bool, automatic: String?) -> OutboxDraft {
        let support = supportEmail ?? ""
        let domain = support.split(separator: "@").last.map(String.init) ?? "localhost"
        let root = threadRootID(ticket, domain: domain)
        let messageID = isThreadRoot ? root
            : signer.messageID(ticket: ticket.ticketNumber, recipient: recipient.email,
                               nonce: MessageIDSigner.nonce(millisecondsSince1970: Int64(now.timeIntervalSince1970 * 1000),
                                                            random: UInt32.random(in: 0...UInt32.max)),
                               domain: domain)
        let (files, left) = [.newTicket, .staffReply, .requesterReply].contains(kind) ? mailedAttachments() : ([], [])
        var body = body
        if !left.isEmpty {
            // Said so that a requester without a shell can read it too: no commands, no settings.
            body += "\n\nNot attached, too large to send by mail; kept with ticket \(ticket.ticketNumber):\n"
                + left.map { "  \($0.fileName) (\($0.data.count) bytes)" }.joined(separator: "\n")
        }
        let message = MailMessage(
            from: MailAddress(name: supportName, email: support), to: [recipient], subject: subject, body: body,
            messageID: messageID, inReplyTo: isThreadRoot ? nil : root, references: isThreadRoot ? [] : [root],
            date: now, autoSubmitted: automatic, replyTo: replyTo, loop: support,
            attachments: files)
        return OutboxDraft(ticketNumber: ticket.ticketNumber, kind: kind, sender: support, recipient: recipient.email,
                           subject: subject, messageID: messageID, bytes: MessageComposer.compose(message))
    }

    /// The files a notification carries: in order, while they add up to at most
    /// `attachment_max_total_bytes` (what `--attach` takes for one message); the rest are named
    /// in the body instead. A 50 MB file mailed on as base64 would be a 70 MB message, over what
    /// most mail servers take (Postfix's default `message_size_limit` is 10 MB), and composing
    /// it held another copy of the file twice over in memory (issue 12).
    func mailedAttachments() -> (attached: [AttachmentUpload], left: [AttachmentUpload]) {
        let limit = settings.integer(.attachmentMaxTotalBytes)
        var attached: [AttachmentUpload] = [], left: [AttachmentUpload] = []
        var total = 0
        for file in attachments {
            if left.isEmpty, total + file.data.count <= limit {
                attached.append(file)
                total += file.data.count
            } else {
                left.append(file)
            }
        }
        return (attached, left)
    }

    func newTicketBody(_ t: Ticket) -> String {
        """
        New ticket \(t.ticketNumber) from \(t.submittedBy.name) <\(t.submittedBy.email)>
        Category: \(t.category.title)
        Priority: \(t.priority.title)

        \(t.message)

        -- 
        support ticket show \(t.ticketNumber)
        """
    }

    func replyBody(_ t: Ticket, _ r: TicketResponse) -> String {
        """
        \(r.respondedBy.name) wrote on \(t.ticketNumber):

        \(r.message)

        -- 
        \(supportName) · ticket \(t.ticketNumber) · status \(t.status.title)
        """
    }

    /// To the new assignee: what the ticket is about, and who gave it to them (never the local
    /// operator's placeholder: mail names no one who cannot be answered). Replying goes to the
    /// requester, as replying to the new-ticket notice does.
    func assignmentBody(_ t: Ticket) -> String {
        """
        Hello \(t.assignedTo?.name ?? ""),

        Ticket \(t.ticketNumber) was assigned to you\(actorEmail == Actor.operatorEmail ? "" : " by " + actorEmail).

        From: \(t.submittedBy.name) <\(t.submittedBy.email)>
        Subject: \(t.subject)
        Category: \(t.category.title)
        Priority: \(t.priority.title)
        Status: \(t.status.title)

        \(t.message)

        -- 
        support ticket show \(t.ticketNumber)
        """
    }

    func statusBody(_ t: Ticket) -> String {
        """
        Hello \(t.submittedBy.name),

        Your ticket \(t.ticketNumber) "\(t.subject)" is now \(t.status.title.lowercased()).
        If anything is still wrong, reply to this message.

        -- 
        \(supportName)
        """
    }

    /// The auto-response, or why it cannot be sent. A template that would render past the limit
    /// (a template repeating {{message}} 5,000 times turned a requester's 64 KiB ticket into a
    /// 330 MB mail; found by ReliabilityStoredTextTests), names unknown variables, or renders
    /// blank is not sent, and not silently replaced by the default letter either: the message is
    /// queued as failed with the reason, where `notify` and `mail` show it (issue 13).
    func autoResponseBody(_ t: Ticket) -> Result<String, TemplateFailure> {
        let template = settings.text(.supportEmailTemplate)
        let values = Self.templateVariables(t, settings: settings)
        do {
            try SettingKey.checkTemplateTags(template)
        } catch {
            return .failure(TemplateFailure(reason: "support_email_template: " + error.message))
        }
        guard let parsed = try? MustacheTemplate(string: SettingKey.templatePrefix + template) else {
            return .failure(TemplateFailure(reason: "support_email_template does not parse"))
        }
        if let problem = SettingKey.templateProblem(parsed) {
            return .failure(TemplateFailure(reason: "support_email_template: " + problem))
        }
        // Measured from small renders first, then checked again on the real one.
        guard SettingKey.renderedLength(parsed, values: values) <= SettingKey.templateRenderMaxBytes else {
            return .failure(TemplateFailure(reason: "support_email_template renders past \(SettingKey.templateRenderMaxBytes / 1024) KiB for this ticket"))
        }
        let body = parsed.render(values)
        guard body.utf8.count <= SettingKey.templateRenderMaxBytes else {
            return .failure(TemplateFailure(reason: "support_email_template renders past \(SettingKey.templateRenderMaxBytes / 1024) KiB for this ticket"))
        }
        guard !body.allSatisfy(\.isWhitespace) else {
            return .failure(TemplateFailure(reason: "support_email_template renders an empty letter for this ticket"))
        }
        return .success(body)
    }

    struct TemplateFailure: Error {
        var reason: String
    }

    /// The longest value each template variable can have, for `settings set` to measure a
    /// template against (keep in step with `templateVariables`).
    static let longestTemplateValues: [String: String] = {
        let longLine = String(repeating: "\u{10FFFF}", count: Validation.subjectMaxCharacters)
        let longName = String(repeating: "\u{10FFFF}", count: Validation.nameMaxCharacters)
        let longEmail = String(repeating: "e", count: Validation.emailMaxBytes)
        return [
            "ticket_number": "ST-2026-999999999", "subject": longLine, "message": String(repeating: "m", count: Validation.messageMaxBytes),
            "category": "General Inquiry", "priority": "Critical", "status": "In Progress", "requester_name": longName,
            "requester_email": longEmail, "support_email": longEmail, "support_name": longName, "created_at": "2026-11-26T16:04:17.123Z",
        ]
    }()

    /// The shortest values a real ticket can give, for `settings set` to refuse a template that
    /// renders nothing but blanks.
    static let shortestTemplateValues: [String: String] = [
        "ticket_number": "ST-2026-001", "subject": "x", "message": "x", "category": "Bug Report", "priority": "Low",
        "status": "Open", "requester_name": "x", "requester_email": "x@x", "support_email": "", "support_name": "x",
        "created_at": "2026-11-26T16:04:17.123Z",
    ]

    /// The variables a `support_email_template` can use (documented in README's Settings table).
    public static func templateVariables(_ t: Ticket, settings: [SettingKey: String]) -> [String: String] {
        [
            "ticket_number": t.ticketNumber.description,
            "subject": t.subject,
            "message": t.message,
            "category": t.category.title,
            "priority": t.priority.title,
            "status": t.status.title,
            "requester_name": t.submittedBy.name,
            "requester_email": t.submittedBy.email,
            "support_email": settings.text(.supportEmail),
            "support_name": settings.text(.supportName),
            "created_at": ISO8601.string(t.createdAt),
        ]
    }
}
