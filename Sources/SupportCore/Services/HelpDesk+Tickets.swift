import Foundation

extension HelpDesk {
    public func createTicket(_ request: NewTicket, attachments: [AttachmentUpload] = []) throws(SupportError) -> Ticket {
        let files = try checkedAttachments(attachments)
        let subject = try Validation.oneLine(request.subject, field: "subject", maxCharacters: Validation.subjectMaxCharacters)
        let message = try Validation.text(request.message)
        let requester: PersonReference
        var rateLimit: Int?
        if let email = request.requesterEmail {
            let address = try Validation.email(email, field: "requester")
            var name: String?
            if let given = request.requesterName {
                name = try Validation.oneLine(given, field: "name", maxCharacters: Validation.nameMaxCharacters)
            }
            if actor.isStaff {
                requester = .requester(email: address, name: name)
            } else if address == actor.user?.email, let user = actor.user {
                requester = .existing(userID: user.id)
            } else {
                throw .forbidden("a requester can only open tickets for themself")
            }
        } else {
            if request.requesterName != nil {
                throw .invalidInput(field: "name", "\(field: "requesterName") is the requester's name: give it with \(field: "requesterEmail", placeholder: "EMAIL")")
            }
            if actor.user == nil, try mailIsOn() {
                // The ticket would be the placeholder's: its new-ticket mail would name it and
                // the auto-response would go to operator@localhost. (issue 15.1)
                throw .invalidInput(field: "requester", """
                    give \(field: "requesterEmail", placeholder: "EMAIL") (and \(field: "requesterName", placeholder: "NAME")): \
                    the ticket would be mailed as the local operator's placeholder, which is not a person\
                    \(commandLine: " (or act as yourself: --as EMAIL, or map your login with 'support user update EMAIL --login NAME')")
                    """)
            }
            requester = actorReference
        }
        if !actor.isStaff {
            let settings = try database.settings()
            rateLimit = settings.integer(.ticketRateLimitPerHour)
        }
        var assigneeID: Int64?
        if let assignee = request.assignee {
            try requireStaff("assign tickets")
            assigneeID = try staffAssignee(assignee).id
        }
        let created = mailPlan(.ticketCreated, attachments: files), assigned = mailPlan(.assigned(from: nil))
        let ticket = try database.createTicket(
            TicketDraft(subject: subject, message: message, category: request.category, priority: request.priority,
                        requester: requester, assigneeID: assigneeID),
            by: actorReference, rateLimit: rateLimit.map { HourlyLimit(limit: $0, noun: "tickets") },
            mail: { ticket, settings, now, signer in created(ticket, settings, now, signer) + assigned(ticket, settings, now, signer) },
            attachments: files)
        logger.debug("created ticket", metadata: ["ticket": "\(ticket.ticketNumber)"])
        return ticket.visible(to: actor)
    }

    public func ticket(_ number: TicketNumber) throws(SupportError) -> Ticket {
        try visibleTicket(number)
    }

    /// `ticket show`: the ticket (without replies) with how many replies the reader can see and
    /// how many follow, then those replies one at a time, oldest first; `newest`: only the last
    /// that many. Memory stays flat however many replies there are and however long.
    public func showTicket(_ number: TicketNumber, newest: Int?, head: (Ticket, _ total: Int, _ shown: Int) throws -> Void,
                           reply: (TicketResponse) throws -> Void) throws(SupportError) {
        try database.streamTicket(number, includeInternal: actor.isStaff, newest: newest, check: { ticket in
            guard canSee(ticket) else { throw SupportError.notFound("no ticket \(number)") }
        }, head: head, reply: reply)
    }

    /// The replies after `cursor` that the reader may see, at most `limit` (1-1000), each page
    /// a read of its own with the permission checked again: a front end that sends a long ticket
    /// in pieces (the server) holds one page at a time. Replies added meanwhile are included.
    public func replyPage(of number: TicketNumber, after cursor: ReplyCursor?, limit: Int) throws(SupportError) -> ReplyPage {
        guard (1...1000).contains(limit) else { throw .invalidInput(field: "limit", "\(field: "limit") must be from 1 to 1000") }
        return try database.replyPage(number, includeInternal: actor.isStaff, after: cursor, limit: limit, check: { ticket in
            guard canSee(ticket) else { throw SupportError.notFound("no ticket \(number)") }
        })
    }

    /// The ticket with its files, without replies (as `showTicket` hands it to `head`), and its
    /// first `limit` replies (`replyPage(of:after:nil,limit:)`), read together: the server's view
    /// of one ticket, whose further pages come from `replyPage`.
    public func ticketWithReplies(_ number: TicketNumber, limit: Int) throws(SupportError) -> (ticket: Ticket, first: ReplyPage) {
        guard (1...1000).contains(limit) else { throw .invalidInput(field: "limit", "\(field: "limit") must be from 1 to 1000") }
        return try database.ticketWithReplyPage(number, includeInternal: actor.isStaff, limit: limit, check: { ticket in
            guard canSee(ticket) else { throw SupportError.notFound("no ticket \(number)") }
        })
    }

    public func listTickets(_ query: TicketQuery) throws(SupportError) -> TicketPage {
        try Self.checkPaging(limit: query.limit, page: query.page, since: query.since, until: query.until)
        guard let filter = try filter(for: query) else {
            return TicketPage(tickets: [], total: 0, page: query.page, limit: query.limit)
        }
        return try database.tickets(matching: filter, includeInternal: actor.isStaff)
    }

    /// Staff change fields; nothing changes when validation fails.
    public func updateTicket(_ number: TicketNumber, _ changes: TicketChanges) throws(SupportError) -> Ticket {
        try applyChanges(number, changes).ticket
    }

    /// `updateTicket`, saying whether anything changed: asking for what the ticket already is
    /// (the same status, the same assignee) writes nothing and returns `changed: false`.
    public func applyChanges(_ number: TicketNumber, _ changes: TicketChanges) throws(SupportError) -> (ticket: Ticket, changed: Bool) {
        try requireVisible(number)
        try requireStaff("update tickets")
        guard !changes.isEmpty else {
            throw .invalidInput(field: nil, """
                nothing to change: give at least one of \(field: "subject"), \(field: "message"), \(field: "category"), \
                \(field: "priority"), \(field: "status"), \(field: "assign")\(commandLine: ", --unassign")
                """)
        }
        var update = TicketUpdate()
        if let subject = changes.subject {
            update.subject = try Validation.oneLine(subject, field: "subject", maxCharacters: Validation.subjectMaxCharacters)
        }
        if let message = changes.message {
            update.message = try Validation.text(message)
        }
        update.category = changes.category
        update.priority = changes.priority
        update.status = changes.status
        switch changes.assignee {
        case nil: break
        case .unassign: update.assignedTo = .some(nil)
        case .assign(let email):
            update.assignedTo = .some(try staffAssignee(email).id)
        }
        let (_, after, changed) = try database.updateTicket(number, update, by: actorReference, mail: { before in
            let status = mailPlan(.statusChanged(from: before.status)), assigned = mailPlan(.assigned(from: before.assignedTo?.email))
            return { ticket, settings, now, signer in status(ticket, settings, now, signer) + assigned(ticket, settings, now, signer) }
        })
        return (after, changed)
    }

    /// The staff member `--assign` names: an email, or `me` (the acting staff member; the
    /// unmapped local operator is nobody to assign to).
    func staffAssignee(_ text: String) throws(SupportError) -> User {
        let assignee: User
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "me" {
            // The local operator is a placeholder, not a person a ticket can wait for.
            guard let me = actor.user else {
                throw .invalidInput(field: "assign", "'me' needs a staff identity\(commandLine: ": give --as EMAIL, or map your login with 'support user update EMAIL --login NAME'")")
            }
            assignee = me
        } else {
            let address = try Validation.email(text, field: "assign")
            guard let found = try database.user(email: address) else { throw .notFound("no user \(address)") }
            guard address != Actor.operatorEmail, found.removedAt == nil else {
                throw .invalidInput(field: "assign", "\(address) is not a person tickets can be assigned to")
            }
            assignee = found
        }
        guard assignee.role.isStaff else {
            throw .invalidInput(field: "assign", "\(assignee.email) is a requester; tickets are assigned to staff only")
        }
        return assignee
    }

    public func deleteTicket(_ number: TicketNumber) throws(SupportError) {
        _ = try ticketToDelete(number)
        _ = try database.deleteTicket(number, by: actorReference)
    }

    /// The ticket `deleteTicket` would delete, without its replies, once the actor may delete it:
    /// checked before a terminal asks "are you sure?", so that nobody is asked in vain.
    public func ticketToDelete(_ number: TicketNumber) throws(SupportError) -> Ticket {
        try requireVisible(number)
        try requireAdmin("delete tickets")
        guard let ticket = try database.ticket(number: number, withResponses: false) else { throw .notFound("no ticket \(number)") }
        return ticket
    }

    /// A reply. Requesters reply publicly on their own tickets; staff may add internal notes.
    /// `notify: false` (the seed's `notifyUser`) mails nobody about a staff reply.
    public func respond(to number: TicketNumber, message: String, isInternal: Bool, notify: Bool = true,
                        attachments: [AttachmentUpload] = []) throws(SupportError) -> TicketResponse {
        try requireVisible(number)
        if isInternal { try requireStaff("add internal notes") }
        // A public reply is mailed to the requester under its author's name. (issue 15.1)
        if !isInternal, notify, actor.user == nil, try mailIsOn() { try requirePersonFor("a public reply that is mailed") }
        let text = try Validation.text(message)
        // Requesters are limited (a flood of replies is a flood of mail to the desk); staff are not.
        let rateLimit = actor.isStaff ? nil : try database.settings().integer(.replyRateLimitPerHour)
        let files = try checkedAttachments(attachments)
        var (_, response) = try database.addResponse(
            to: number, message: text, by: actorReference, isInternal: isInternal, reopens: !actor.isStaff,
            rateLimit: rateLimit.map { HourlyLimit(limit: $0, noun: "replies") },
            mail: { response in mailPlan(.replied(response), notifyRequester: notify, attachments: files) }, attachments: files)
        // A requester is never shown a row id (ids showed gaps where internal notes sit): their
        // reply is numbered by its place among the replies they can see, as `show` numbers it.
        if !actor.isStaff { response.id = try database.publicPosition(ofResponse: response.id) }
        return response
    }

    /// Whether changes write mail (`support_email` is set).
    func mailIsOn() throws(SupportError) -> Bool {
        !(try database.settings()[.supportEmail] ?? "").isEmpty
    }

    /// The mail rules, bound to who is acting, for the store to run inside the change's transaction.
    /// `actorEmail` names who made the change when it is not the actor (the sender of ingested mail).
    func mailPlan(_ event: MailEvent, notifyRequester: Bool = true, actorEmail: String? = nil,
                  attachments: [AttachmentUpload] = []) -> MailPlan {
        let actorEmail = actorEmail ?? actor.user?.email ?? Actor.operatorEmail
        return { ticket, settings, now, signer in
            MailPlanner(settings: settings, actorEmail: actorEmail, now: now, signer: signer, notifyRequester: notifyRequester,
                        attachments: attachments)
                .drafts(for: event, on: ticket)
        }
    }

    /// Every recorded change of a ticket; a requester sees their own ticket's, without internal notes.
    public func history(of number: TicketNumber) throws(SupportError) -> [AuditEvent] {
        if !actor.isStaff {
            try requireVisible(number)
        }
        var events = try database.history(of: number, includeInternal: actor.isStaff)
        if events.isEmpty, try database.ticket(number: number) == nil { throw .notFound("no ticket \(number)") }
        if !actor.isStaff {
            // Numbered 1, 2, 3 … as the requester sees them: audit row ids would show gaps
            // where staff-only events sit, and count every change on the desk.
            for index in events.indices { events[index].id = Int64(index + 1) }
        }
        return events
    }

    /// The query with people resolved to ids and the actor's scope applied; nil when nothing can match.
    func filter(for query: TicketQuery) throws(SupportError) -> TicketFilter? {
        var filter = TicketFilter(query: query)
        filter.searchesInternalNotes = actor.isStaff
        if !actor.isStaff, let user = actor.user {
            // A requester sees their own tickets only, whatever they ask for.
            filter.submittedBy = user.id
        }
        if let email = query.requesterEmail {
            let address = try Validation.email(email, field: "requester")
            guard let requester = try database.user(email: address) else {
                return nil
            }
            if let own = filter.submittedBy, own != requester.id {
                return nil
            }
            filter.submittedBy = requester.id
        }
        switch query.assignee {
        case nil: break
        case .nobody: filter.assignedTo = .some(nil)
        case .me:
            var me = actor.user
            if me == nil { me = try database.user(email: Actor.operatorEmail) }
            guard let me else { return nil }
            filter.assignedTo = .some(me.id)
        case .email(let email):
            let address = try Validation.email(email, field: "assignee")
            guard let assignee = try database.user(email: address) else {
                return nil
            }
            filter.assignedTo = .some(assignee.id)
        }
        return filter
    }
}
