import Foundation

/// Hands batches from one thread to another: the parsed tickets of an import from the thread
/// that reads and parses it to the one that writes it, and the written rows from there to the
/// one that builds the full-text indexes, so that on two cores they run at the same time.
/// Bounded, so that a fast producer never holds more than `capacity` in memory, counted in
/// batches or by the `weight` of each (one batch is always let in, however heavy); the
/// consumer can `close` it (on an error) to stop the producer.
final class BoundedChannel<Batch>: @unchecked Sendable {
    // Every stored property is guarded by `condition`.
    private let condition = NSCondition()
    private var batches: [(batch: Batch, weight: Int)] = []
    private var load = 0
    private let capacity: Int
    private let weight: (Batch) -> Int
    private var finished = false
    private var closed = false

    init(capacity: Int, weight: @escaping (Batch) -> Int = { _ in 1 }) {
        self.capacity = capacity
        self.weight = weight
    }

    /// Waits for room; false when the writer has stopped and the batch was dropped.
    func put(_ batch: Batch) -> Bool {
        let weight = self.weight(batch)
        condition.lock()
        defer { condition.unlock() }
        while !batches.isEmpty && load + weight > capacity && !closed { condition.wait() }
        guard !closed else { return false }
        batches.append((batch, weight))
        load += weight
        condition.broadcast()
        return true
    }

    /// No more batches will come.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the next batch; nil once the producer has finished and everything was taken.
    func next() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        guard !batches.isEmpty else { return nil }
        condition.broadcast()
        let first = batches.removeFirst()
        load -= first.weight
        return first.batch
    }

    /// The consumer stops taking batches: a waiting or later `put` returns false. (A producer
    /// that stops calls `finish`, after which `next` returns nil once the batches are taken.)
    func close() {
        condition.lock()
        closed = true
        batches.removeAll()
        load = 0
        condition.broadcast()
        condition.unlock()
    }
}
