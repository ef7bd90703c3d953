import Foundation

/// What the writer thread of an import ended with, handed back to the thread that waits for it.
final class ImportWriteResult: @unchecked Sendable {
    // `result` is guarded by `condition`.
    private let condition = NSCondition()
    private var result: Result<ImportSummary, SupportError>?

    func set(_ value: Result<ImportSummary, SupportError>) {
        condition.lock()
        result = value
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Result<ImportSummary, SupportError> {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }
}
