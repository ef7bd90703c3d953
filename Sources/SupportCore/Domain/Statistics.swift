import Foundation

/// The seed's "Monitoring and Analytics" figures for a period.
public struct Statistics: Sendable, Equatable {
    public struct Durations: Sendable, Equatable {
        public var count: Int
        /// Seconds.
        public var median: Double
        public var p90: Double

        public init(count: Int, median: Double, p90: Double) {
            self.count = count
            self.median = median
            self.p90 = p90
        }

        /// Median and 90th percentile (nearest rank) of `seconds`; nil when empty.
        public init?(_ seconds: [Double]) {
            guard !seconds.isEmpty else { return nil }
            let sorted = seconds.sorted()
            let ranks = Self.ranks(count: sorted.count)
            self.init(count: sorted.count, median: (sorted[ranks.medianLow] + sorted[ranks.medianHigh]) / 2, p90: sorted[ranks.p90])
        }

        /// Zero-based positions in ascending order: the median is the mean of the two middle
        /// values (the same one twice for an odd count), the 90th percentile the nearest rank.
        public static func ranks(count: Int) -> (medianLow: Int, medianHigh: Int, p90: Int) {
            precondition(count > 0)
            return ((count - 1) / 2, count / 2, max(0, Int((0.9 * Double(count)).rounded(.up)) - 1))
        }
    }

    public struct StaffFigures: Sendable, Equatable {
        public var person: Person
        public var firstResponse: Durations?
        public var resolution: Durations?
    }

    public struct Mail: Sendable, Equatable {
        public var sent = 0
        public var pending = 0
        public var failed = 0
        /// Messages that were put off at least once ("try again later") on their way.
        public var retried = 0
        public var successRate: Double? { sent + failed == 0 ? nil : Double(sent) / Double(sent + failed) }
    }

    public var since: Date?
    public var until: Date?
    public var total = 0
    public var byCategory: [(TicketCategory, Int)] = []
    public var byPriority: [(TicketPriority, Int)] = []
    public var byStatus: [(TicketStatus, Int)] = []
    /// Resolved or closed, over all tickets of the period.
    public var resolutionRate: Double? { total == 0 ? nil : Double(resolvedCount) / Double(total) }
    public var resolvedCount = 0
    public var firstResponse: Durations?
    public var resolution: Durations?
    public var staff: [StaffFigures] = []
    /// Open and in-progress tickets created in the period, by their age now.
    public var backlog: [(String, Int)] = []
    /// Tickets opened and resolved in each period of `volumeDays` days across the window (the
    /// first from its start's local midnight), for the text chart.
    public var volume: [(start: Date, opened: Int, resolved: Int)] = []
    public var volumeDays = 1
    public var mail = Mail()

    public init() {}

    public static func == (a: Statistics, b: Statistics) -> Bool {
        a.total == b.total && a.byCategory.map(\.1) == b.byCategory.map(\.1) && a.byPriority.map(\.1) == b.byPriority.map(\.1)
            && a.byStatus.map(\.1) == b.byStatus.map(\.1) && a.staff == b.staff && a.backlog.map(\.1) == b.backlog.map(\.1)
            && a.mail == b.mail && a.firstResponse == b.firstResponse && a.resolution == b.resolution
    }
}
