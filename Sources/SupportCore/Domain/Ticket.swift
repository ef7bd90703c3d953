import Foundation

/// A support ticket with its conversation, as the seed's `ISupportTicket` describes it.
public struct Ticket: Sendable, Equatable {
    public var id: Int64
    public var ticketNumber: TicketNumber
    public var subject: String
    public var message: String
    public var category: TicketCategory
    public var priority: TicketPriority
    public var status: TicketStatus
    public var submittedBy: Person
    public var assignedTo: Person?
    public var responses: [TicketResponse]
    /// Files of the ticket's first message and of its replies, oldest first.
    public var attachments: [TicketAttachment]
    public var createdAt: Date
    public var updatedAt: Date
    public var resolvedAt: Date?
    public var closedAt: Date?

    public init(
        id: Int64, ticketNumber: TicketNumber, subject: String, message: String, category: TicketCategory,
        priority: TicketPriority, status: TicketStatus, submittedBy: Person, assignedTo: Person?,
        responses: [TicketResponse] = [], attachments: [TicketAttachment] = [], createdAt: Date, updatedAt: Date,
        resolvedAt: Date? = nil, closedAt: Date? = nil
    ) {
        self.id = id
        self.ticketNumber = ticketNumber
        self.subject = subject
        self.message = message
        self.category = category
        self.priority = priority
        self.status = status
        self.submittedBy = submittedBy
        self.assignedTo = assignedTo
        self.responses = responses
        self.attachments = attachments
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.resolvedAt = resolvedAt
        self.closedAt = closedAt
    }

    /// The ticket as `viewer` may see it: a requester never sees internal notes.
    public func visible(to viewer: Actor) -> Ticket {
        guard !viewer.isStaff else { return self }
        var copy = self
        copy.responses.removeAll(where: \.isInternal)
        copy.attachments.removeAll(where: \.isInternal)
        // Numbered by place, never by row id: ids showed gaps where internal notes sit (issue 13).
        // The files of a reply follow its number.
        var position: [Int64: Int64] = [:]
        for index in copy.responses.indices {
            position[copy.responses[index].id] = Int64(index + 1)
            copy.responses[index].id = Int64(index + 1)
        }
        copy.attachments = copy.attachments.renumberingReplies(position)
        return copy
    }
}

/// A reply on a ticket; internal notes are for staff only.
public struct TicketResponse: Sendable, Equatable {
    public var id: Int64
    public var message: String
    public var respondedBy: Person
    public var isInternal: Bool
    public var createdAt: Date

    public init(id: Int64, message: String, respondedBy: Person, isInternal: Bool, createdAt: Date) {
        self.id = id
        self.message = message
        self.respondedBy = respondedBy
        self.isInternal = isInternal
        self.createdAt = createdAt
    }
}

/// One page of a ticket list with the seed's pagination figures.
public struct TicketPage: Sendable, Equatable {
    public var tickets: [Ticket]
    public var total: Int
    public var page: Int
    public var limit: Int
    public var pages: Int { total == 0 ? 0 : (total + limit - 1) / limit }

    public init(tickets: [Ticket], total: Int, page: Int, limit: Int) {
        self.tickets = tickets
        self.total = total
        self.page = page
        self.limit = limit
    }
}

/// Some of a ticket's replies, oldest first, and where the next page starts (nil after the last).
public struct ReplyPage: Sendable {
    public var replies: [TicketResponse]
    public var next: ReplyCursor?
}

/// Where a page of replies ends: the last reply's key as the store keeps it (opaque to front
/// ends) and how many the reader had been shown, which numbers a requester's replies.
public struct ReplyCursor: Sendable, Equatable {
    let createdAt: String
    let rowID: Int64
    let position: Int64
}
