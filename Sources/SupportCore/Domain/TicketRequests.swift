import Foundation

/// What `ticket create` asks for, before validation.
public struct NewTicket: Sendable, Equatable {
    public var subject: String
    public var message: String
    public var category: TicketCategory
    public var priority: TicketPriority
    /// Staff may open a ticket on someone's behalf; a requester only for themself.
    public var requesterEmail: String?
    public var requesterName: String?
    /// Staff only: a staff member's email, or `me`.
    public var assignee: String?

    public init(subject: String, message: String, category: TicketCategory, priority: TicketPriority = .medium,
                requesterEmail: String? = nil, requesterName: String? = nil) {
        self.subject = subject
        self.message = message
        self.category = category
        self.priority = priority
        self.requesterEmail = requesterEmail
        self.requesterName = requesterName
    }
}

/// What `ticket update` asks for; nil leaves a field as it is.
public struct TicketChanges: Sendable, Equatable {
    public enum Assignee: Sendable, Equatable {
        case assign(email: String)
        case unassign
    }

    public var subject: String?
    public var message: String?
    public var category: TicketCategory?
    public var priority: TicketPriority?
    public var status: TicketStatus?
    public var assignee: Assignee?

    public init(subject: String? = nil, message: String? = nil, category: TicketCategory? = nil,
                priority: TicketPriority? = nil, status: TicketStatus? = nil, assignee: Assignee? = nil) {
        self.subject = subject
        self.message = message
        self.category = category
        self.priority = priority
        self.status = status
        self.assignee = assignee
    }

    public var isEmpty: Bool {
        subject == nil && message == nil && category == nil && priority == nil && status == nil && assignee == nil
    }
}

public enum TicketSort: String, CaseIterable, Sendable {
    case created, updated, priority, status
    /// Best match first, for a search: bm25, a word in the subject counting more than in the text.
    case relevance

    /// The orders of a list without a search.
    public static let listOrders: [TicketSort] = [.created, .updated, .priority, .status]
}

/// The filters of `ticket list` (and `export`). Several values of one filter match any of them;
/// different filters must all match.
public struct TicketQuery: Sendable, Equatable {
    public enum Assignee: Sendable, Equatable {
        case me
        case nobody
        case email(String)
    }

    public static let defaultLimit = 25
    public static let maximumLimit = 500
    public static let maximumPage = 10_000_000

    public var statuses: [TicketStatus] = []
    public var priorities: [TicketPriority] = []
    public var categories: [TicketCategory] = []
    public var assignee: Assignee?
    public var requesterEmail: String?
    public var since: Date?
    public var until: Date?
    public var search: String?
    public var sort: TicketSort = .created
    public var reverse = false
    public var page = 1
    public var limit = TicketQuery.defaultLimit

    public init() {}
}
