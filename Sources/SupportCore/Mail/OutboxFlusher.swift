import Foundation
import Logging

/// Drains the outbox through the mail program. Knows the outbox and the program, not tickets.
///
/// `jobs` workers, each its own thread (so `--jobs 64` runs 64 programs at once, whatever the
/// number of CPUs), each claim one message under a lease, send it and record the result at once,
/// then take the next. While any send runs, a heartbeat renews the leases this flush holds, so
/// a lease never runs out under a live flush still working on its message. (Before, a batch of
/// `jobs` messages was claimed at once, run `concurrentPerform`, as many at a time as there are
/// CPUs, and recorded only when the whole batch was done: 64 slow sends outlived the lease and a
/// second flush sent them all again.) A flush killed at any moment leaves its messages to the
/// next: its leases are released as soon as its process is gone (`LeaseOwner.isGone`).
public struct OutboxFlusher: Sendable {
    public struct Summary: Sendable, Equatable {
        public var sent = 0
        public var retried = 0
        public var failed = 0
        /// Set when the flush stopped because the mail program cannot be run.
        public var configurationProblem: String?

        public var attempted: Int { sent + retried + failed }
    }

    let database: any DeskStore
    public let transport: SendmailTransport
    public let maxAttempts: Int
    public let jobs: Int
    /// How long a claim holds without renewal. By default it outlives the slowest possible send
    /// (the program is killed at `timeout`); the heartbeat renews it every third of it anyway.
    public var lease: TimeInterval
    let logger: Logger

    public init(database: AppDatabase, transport: SendmailTransport, maxAttempts: Int, jobs: Int,
                logger: Logger = Logger(label: "support.mail")) {
        self.init(store: database, transport: transport, maxAttempts: maxAttempts, jobs: jobs, logger: logger)
    }

    init(store database: any DeskStore, transport: SendmailTransport, maxAttempts: Int, jobs: Int,
         logger: Logger = Logger(label: "support.mail")) {
        self.database = database
        self.transport = transport
        self.maxAttempts = maxAttempts
        self.jobs = max(1, jobs)
        self.lease = transport.timeout * 2 + 60
        self.logger = logger
    }

    /// Sends up to `limit` due messages. `progress` is told (done, total due at the start), from
    /// one thread at a time.
    public func flush(limit: Int?, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws(SupportError) -> Summary {
        let owner = LeaseOwner.current
        let total = min(limit ?? Int.max, try database.dueOutboxCount())
        if let problem = transport.configurationProblem() {
            var summary = Summary()
            summary.configurationProblem = problem
            return summary
        }
        let state = FlushState(limit: limit ?? Int.max, total: total, progress: progress)
        let heartbeat = LeaseHeartbeat(every: max(0.05, lease / 3)) { [database, lease, logger] in
            do {
                try database.renewLeases(owner: owner, lease: lease)
            } catch {
                logger.debug("lease renewal failed: \(error)")
            }
        }
        let group = DispatchGroup()
        for _ in 0..<min(jobs, max(1, limit ?? jobs)) {
            group.enter()
            let worker = Thread { [self] in
                work(owner: owner, state: state)
                group.leave()
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        group.wait()
        heartbeat.stop()
        return try state.result()
    }

    /// `body`, tried again (up to five times) while the file stays busy past its timeout: up to
    /// 128 workers of two flushes each write twice per message, and a busy claim or record
    /// ended the whole flush with 75.
    static func patiently<T>(_ body: () throws(SupportError) -> T) throws(SupportError) -> T {
        var tries = 0
        while true {
            do {
                return try body()
            } catch {
                guard case .busy = error, tries < 5 else { throw error }
                tries += 1
                usleep(useconds_t(50_000 * tries))
            }
        }
    }

    /// One worker: claim, send, record, until nothing is due, the limit is reached or a write fails.
    private func work(owner: String, state: FlushState) {
        while state.takeSlot() {
            let claimed: [OutboxDelivery]
            do {
                claimed = try Self.patiently { () throws(SupportError) -> [OutboxDelivery] in
                    try database.claimOutbox(limit: 1, owner: owner, lease: lease, ownerIsGone: LeaseOwner.isGone,
                                             ownerIsAlive: LeaseOwner.isAliveHere)
                }
            } catch {
                state.fail(error)
                return
            }
            guard let delivery = claimed.first else {
                state.giveBackSlot()
                return
            }
            let started = Date()
            let result = transport.deliver(delivery)
            logger.debug("delivery", metadata: ["id": "\(delivery.id)", "outcome": "\(result.outcome.rawValue)"])
            do {
                // A send that is not recorded is sent again by the next flush: worth waiting for.
                let status = try Self.patiently { () throws(SupportError) -> OutboxMessage.Status? in
                    try database.recordDelivery(delivery.id, owner: owner, startedAt: started, result: result,
                                                maxAttempts: maxAttempts)
                }
                state.record(result.outcome, status)
            } catch {
                state.fail(error)
                return
            }
        }
    }
}

/// What the workers of one flush share: how many more they may claim, the tally, the first error.
final class FlushState: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    private var stopped = false
    private var summary = OutboxFlusher.Summary()
    private var error: SupportError?
    private let total: Int
    private let progress: @Sendable (Int, Int) -> Void

    init(limit: Int, total: Int, progress: @escaping @Sendable (Int, Int) -> Void) {
        remaining = limit
        self.total = total
        self.progress = progress
    }

    /// True when the worker may claim one more message.
    func takeSlot() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard !stopped, remaining > 0 else { return false }
        remaining -= 1
        return true
    }

    func giveBackSlot() {
        lock.lock(); defer { lock.unlock() }
        remaining += 1
    }

    func record(_ outcome: DeliveryResult.Outcome, _ status: OutboxMessage.Status?) {
        lock.lock(); defer { lock.unlock() }
        switch (outcome, status) {
        case (.sent, _): summary.sent += 1
        case (_, .failed?): summary.failed += 1
        default: summary.retried += 1
        }
        progress(summary.attempted, max(total, summary.attempted))
    }

    func fail(_ failure: SupportError) {
        lock.lock(); defer { lock.unlock() }
        if error == nil { error = failure }
        stopped = true
    }

    func result() throws(SupportError) -> OutboxFlusher.Summary {
        lock.lock(); defer { lock.unlock() }
        if let error { throw error }
        return summary
    }
}

/// Runs `beat` every `interval` seconds on its own thread until stopped.
final class LeaseHeartbeat: @unchecked Sendable {
    private let condition = NSCondition()
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(every interval: TimeInterval, _ beat: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            condition.lock()
            while running {
                if !condition.wait(until: Date().addingTimeInterval(interval)), running {
                    condition.unlock()
                    beat()
                    condition.lock()
                }
            }
            condition.unlock()
            done.signal()
        }
        thread.start()
    }

    func stop() {
        condition.lock()
        running = false
        condition.signal()
        condition.unlock()
        done.wait()
    }
}
