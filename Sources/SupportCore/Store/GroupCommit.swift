import Dispatch
import GRDB
import Synchronization

/// Group commit for a process that writes from many threads at once (the server): the writes
/// asked for while one transaction is running wait, and then run together in the next, each in a
/// savepoint of its own, so that they share its BEGIN, its COMMIT and the pages it writes to the
/// -wal.
///
/// Why: one new ticket dirties about 115 pages (21 indexes on `ticket`, the full-text documents,
/// the tally, the audit record, the outbox mail; docs/benchmarks.md "Profiled, and the first costs
/// cut"), most of them the same interior and leaf pages for every ticket made at about the same
/// time. With a transaction each, 64 clients creating tickets queued for the one writer and each
/// create wrote its pages alone (466 creates/s, p99 283 ms at 1,000,000 tickets); a batch writes
/// them once (docs/benchmarks.md "Creates through group commit").
///
/// Each write keeps its own answer: its savepoint is rolled back when it throws (a rule it broke,
/// a rate limit), and the others go on. A failure of the database itself (busy, full, unwritable)
/// fails the transaction; then nothing of it was written and each write of the batch runs again
/// alone, in a transaction of its own, as it would have without batching. The writes of a batch
/// share the transaction's date (`db.transactionDate`).
///
/// Leader and followers: the first writer to find no transaction running leads: it takes every
/// write waiting (at most `maxBatch`), runs them, wakes their writers with their answers, and hands
/// the lead to the first write that arrived meanwhile. A writer waits on a semaphore of its own,
/// blocking its thread: the server calls the desk from a thread pool of its own, never from Swift's
/// cooperative threads (which are as many as the cores, and would all be waiting).
final class GroupCommit: Sendable {
    /// One write, waiting for its batch; its fields are written by the leader before it signals
    /// `done`, and read by the write's own thread after.
    final class Job: @unchecked Sendable {
        /// Let go of by the leader once the write is done: it is the caller's closure, which must
        /// not outlive its call (`withoutActuallyEscaping` checks).
        var body: ((Database) throws -> Void)?
        let done = DispatchSemaphore(value: 0)
        var failure: (any Error)?
        /// Set when the write ran (or failed); false when woken to lead.
        var finished = false

        init(_ body: @escaping (Database) throws -> Void) {
            self.body = body
        }
    }

    struct State {
        var pending: [Job] = []
        /// Whether a writer is leading. When false, `pending` is empty.
        var leading = false
    }

    private let state = Mutex(State())
    let writer: any DatabaseWriter
    let maxBatch: Int

    init(writer: any DatabaseWriter, maxBatch: Int = 64) {
        self.writer = writer
        self.maxBatch = maxBatch
    }

    /// How many writes wait for the next transaction (tests).
    var waiting: Int { state.withLock { $0.pending.count } }

    /// Runs `body` in a transaction, alone or beside the others waiting, and returns its result
    /// once that transaction is committed.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var value: T?
            // The closure outlives nothing: this thread waits below until the leader is done with it.
            let job = Job { db in value = try body(db) }
            let leads = state.withLock { state in
                state.pending.append(job)
                if state.leading { return false }
                state.leading = true
                return true
            }
            if !leads { job.done.wait() }
            if !job.finished { lead() }
            if let failure = job.failure { throw failure }
            guard let value else { throw SupportError.internalError("a write ended without a result") }
            return value
        }
    }

    /// Runs the batch at the head of the queue (the leader's own write is its first), answers its
    /// writers and hands the lead on.
    private func lead() {
        let batch = state.withLock { state in
            let batch = Array(state.pending.prefix(maxBatch))
            state.pending.removeFirst(batch.count)
            return batch
        }
        run(batch)
        let next = state.withLock { state -> Job? in
            guard let next = state.pending.first else {
                state.leading = false
                return nil
            }
            return next
        }
        // The leader's own job is batch[0]; its thread reads it without waiting.
        for job in batch {
            job.body = nil
            job.finished = true
        }
        for job in batch.dropFirst() { job.done.signal() }
        next?.done.signal()
    }

    private func run(_ batch: [Job]) {
        guard batch.count > 1 else {
            for job in batch { runAlone(job) }
            return
        }
        do {
            try writer.write { db in
                for job in batch {
                    do {
                        try db.inSavepoint {
                            try job.body?(db)
                            return .commit
                        }
                    } catch {
                        if Self.failsTheTransaction(error) { throw error }
                        job.failure = error
                    }
                }
            }
        } catch {
            // Nothing of the batch was written (its commit failed, or the database did): each
            // write again, alone, for an answer of its own.
            for job in batch { runAlone(job) }
        }
    }

    private func runAlone(_ job: Job) {
        job.failure = nil
        do {
            try writer.write { db in try job.body?(db) }
        } catch {
            job.failure = error
        }
    }

    /// A failure of the database itself, after which SQLite may have rolled the whole transaction
    /// back (busy, locked, full, unwritable, corrupt): not one write's to keep.
    static func failsTheTransaction(_ error: any Error) -> Bool {
        let failure: SupportError
        switch error {
        case let error as SupportError: failure = error
        case let error as DatabaseError: failure = AppDatabase.translate(error)
        default: return false
        }
        switch failure {
        case .busy, .storage: return true
        default: return false
        }
    }
}
