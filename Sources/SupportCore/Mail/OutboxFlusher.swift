import Foundation
import Logging

/// Drains the outbox through the mail program. Knows the outbox and the program, not tickets.
/// Claims a few messages at a time under a lease (two flushes never send one message), sends
/// them, and records each attempt; a flush killed at any moment leaves its messages to the next.
public struct OutboxFlusher: Sendable {
    public struct Summary: Sendable, Equatable {
        public var sent = 0
        public var retried = 0
        public var failed = 0
        /// Set when the flush stopped because the mail program cannot be run.
        public var configurationProblem: String?

        public var attempted: Int { sent + retried + failed }
    }

    public let database: AppDatabase
    public let transport: SendmailTransport
    public let maxAttempts: Int
    public let jobs: Int
    let logger: Logger

    public init(database: AppDatabase, transport: SendmailTransport, maxAttempts: Int, jobs: Int,
                logger: Logger = Logger(label: "support.mail")) {
        self.database = database
        self.transport = transport
        self.maxAttempts = maxAttempts
        self.jobs = max(1, jobs)
        self.logger = logger
    }

    /// Sends up to `limit` due messages. `progress` is told (done, total due at the start).
    public func flush(limit: Int?, progress: @Sendable (Int, Int) -> Void = { _, _ in }) throws(SupportError) -> Summary {
        let owner = LeaseOwner.current
        // The lease outlives the slowest possible send, so a live flush never loses its claim.
        let lease = transport.timeout * 2 + 60
        var summary = Summary()
        let total = min(limit ?? Int.max, try database.dueOutboxCount())
        if let problem = transport.configurationProblem() {
            summary.configurationProblem = problem
            return summary
        }
        while summary.attempted < (limit ?? Int.max) {
            let batchSize = min(jobs, (limit ?? Int.max) - summary.attempted)
            let batch = try database.claimOutbox(limit: batchSize, owner: owner, lease: lease, ownerIsGone: LeaseOwner.isGone)
            if batch.isEmpty { break }
            let results = deliver(batch)
            for (delivery, (startedAt, result)) in zip(batch, results) {
                logger.debug("delivery", metadata: ["id": "\(delivery.id)", "outcome": "\(result.outcome.rawValue)"])
                let status = try database.recordDelivery(delivery.id, owner: owner, startedAt: startedAt, result: result,
                                                         maxAttempts: maxAttempts)
                switch (result.outcome, status) {
                case (.sent, _): summary.sent += 1
                case (_, .failed?): summary.failed += 1
                default: summary.retried += 1
                }
            }
            progress(summary.attempted, max(total, summary.attempted))
        }
        return summary
    }

    /// Runs the batch, `jobs` at a time: one msmtp call spends most of its time waiting on the
    /// network, so parallel sends scale nearly linearly (MAIL-TESTING.md).
    func deliver(_ batch: [OutboxDelivery]) -> [(Date, DeliveryResult)] {
        let results = ResultBox(count: batch.count)
        DispatchQueue.concurrentPerform(iterations: batch.count) { index in
            let started = Date()
            results.set(index, (started, transport.deliver(batch[index])))
        }
        return results.values
    }
}

/// Collects results written from several threads, each to its own slot.
final class ResultBox: @unchecked Sendable {
    private var slots: [(Date, DeliveryResult)?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: (Date, DeliveryResult)) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = value
    }

    var values: [(Date, DeliveryResult)] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0 ?? (Date(), DeliveryResult(outcome: .retry, exitStatus: nil, detail: "not attempted")) }
    }
}
