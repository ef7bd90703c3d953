import Foundation

/// Hands parsed batches from the thread that reads and parses an import to the thread that
/// writes it, so that on two cores JSON decoding and SQLite run at the same time. Bounded, so
/// that a fast parser never holds more than `capacity` batches in memory; the writer can
/// `close` it (on an error) to stop the parser.
final class ImportBatchChannel: @unchecked Sendable {
    // Every stored property is guarded by `condition`.
    private let condition = NSCondition()
    private var batches: [[ImportDraft]] = []
    private let capacity: Int
    private var finished = false
    private var closed = false

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; false when the writer has stopped and the batch was dropped.
    func put(_ batch: [ImportDraft]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        batches.append(batch)
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

    /// Waits for the next batch; nil once the parser has finished and everything was taken.
    func next() -> [ImportDraft]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        guard !batches.isEmpty else { return nil }
        condition.broadcast()
        return batches.removeFirst()
    }

    /// The writer stops taking batches: a waiting or later `put` returns false.
    func close() {
        condition.lock()
        closed = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
