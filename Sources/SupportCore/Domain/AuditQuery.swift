import Foundation

/// The filters of `support audit`. Several actions match any of them; different filters must
/// all match. Newest first.
public struct AuditQuery: Sendable, Equatable {
    public var actions: [AuditEvent.Action] = []
    public var actorEmail: String?
    public var ticketNumber: TicketNumber?
    public var since: Date?
    public var until: Date?
    public var page = 1
    public var limit = TicketQuery.defaultLimit

    public init() {}
}

/// One page of audit events, newest first, with the total that matched.
public struct AuditPage: Sendable, Equatable {
    public var events: [AuditEvent]
    public var total: Int
    public var page: Int
    public var limit: Int
    public var pages: Int { total == 0 ? 0 : (total + limit - 1) / limit }

    public init(events: [AuditEvent], total: Int, page: Int, limit: Int) {
        self.events = events
        self.total = total
        self.page = page
        self.limit = limit
    }
}
