import Foundation

// The rules every storage engine applies inside its unit of work. They are pure functions of
// domain values so that a second engine (PostgreSQL) calls the same code instead of copying it:
// the store supplies what it read in its transaction, the rule says what to write.

extension Ticket {
    /// The milestones after a move to `status` at `now`: resolving sets `resolvedAt`; closing sets
    /// `closedAt` (and `resolvedAt` if it was never resolved); reopening clears both.
    public func milestones(movingTo status: TicketStatus, at now: Date) -> (resolvedAt: Date?, closedAt: Date?) {
        switch status {
        case .open, .inProgress: (nil, nil)
        case .resolved: (resolvedAt ?? now, nil)
        case .closed: (resolvedAt ?? now, closedAt ?? now)
        }
    }

    /// What a public reply or note does to the ticket it is added to.
    public enum ReplyEffect: Sendable, Equatable {
        /// Nothing about the ticket changes (an out-of-office reply stored by mail ingest).
        case none
        /// `updatedAt` moves to the reply's time.
        case touch
        /// The ticket is open again (a requester's reply on a resolved or closed ticket), its
        /// milestones cleared and `updatedAt` moved.
        case reopen
    }

    /// An internal note leaves `updatedAt` alone: requesters see that time, and must not learn
    /// from it that staff wrote something about them.
    public func replyEffect(isInternal: Bool, reopens: Bool, touches: Bool) -> ReplyEffect {
        guard touches else { return .none }
        if reopens && (status == .resolved || status == .closed) { return .reopen }
        return isInternal ? .none : .touch
    }

    /// The audit trail's account of a change: each field that differs, old and new as people read them.
    public func changes(to after: Ticket) -> [(field: String, old: String?, new: String?)] {
        var out: [(field: String, old: String?, new: String?)] = []
        if subject != after.subject { out.append(("subject", subject, after.subject)) }
        if message != after.message { out.append(("message", message, after.message)) }
        if category != after.category { out.append(("category", category.title, after.category.title)) }
        if priority != after.priority { out.append(("priority", priority.title, after.priority.title)) }
        if status != after.status { out.append(("status", status.title, after.status.title)) }
        if assignedTo?.email != after.assignedTo?.email { out.append(("assignedTo", assignedTo?.email, after.assignedTo?.email)) }
        return out
    }
}

/// At most `limit` of one person's acts of a kind in the last hour (ticket creation, replies by mail).
public struct HourlyLimit: Sendable, Equatable {
    public static let window: TimeInterval = 3600
    public var limit: Int
    /// What is counted, in the plural ("tickets").
    public var noun: String

    public init(limit: Int, noun: String) {
        self.limit = limit
        self.noun = noun
    }

    /// Throws `rateLimited` when the acts since `now - window` (oldest first, at most `limit` of
    /// them: a store reads no more) already reach the limit; the retry time is when the oldest
    /// leaves the window.
    public func check(recent: [Date]) throws(SupportError) {
        guard limit > 0, recent.count >= limit, let oldest = recent.first else { return }
        let retry = oldest.addingTimeInterval(Self.window)
        throw .rateLimited("rate limit reached: at most \(limit) \(noun) per hour; try again after \(ISO8601.string(retry))",
                           retryAfter: retry)
    }
}

/// When a mail that could not be delivered is tried again, and when the desk gives up on it.
public enum DeliveryPolicy {
    /// 1 min, 2, 4, … capped at 6 hours.
    public static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(0, attempt - 1))), 6 * 3600)
    }

    /// The state after attempt number `tries` failed.
    public static func statusAfterFailure(tries: Int, maxAttempts: Int) -> OutboxMessage.Status {
        tries >= maxAttempts ? .failed : .pending
    }
}
