import Foundation
import SupportCore

/// The line on a terminal's stderr that shows a database migration as it runs, rewritten in
/// place: "support: updating the database, step 2 of 3 (ticket-search-notes-index-of-their-own): 45% (450000 of 1000000 rows)".
/// Then, when it is done, how long it took.
final class MigrationProgressLine: @unchecked Sendable {
    // Reports come from the thread that migrates, one at a time; the lock makes that a rule.
    private let lock = NSLock()
    private var started: Date?
    private var shown = ""

    func show(_ progress: MigrationProgress) {
        lock.lock()
        defer { lock.unlock() }
        if started == nil { started = Date() }
        var text = "support: updating the database, step \(progress.number) of \(progress.count) (\(progress.migration))"
        if let done = progress.done, let total = progress.total, total > 0 {
            text += ": \(done * 100 / total)% (\(done) of \(total) rows)"
        }
        guard text != shown else { return }
        shown = text
        // Back to the start of the line, the text, the rest of the old line erased.
        FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
    }

    /// Ends the line, if anything was shown: with the time it took, or (`completed` false: the
    /// migration failed, and its error follows) as it stands.
    func finish(completed: Bool = true) {
        lock.lock()
        defer { lock.unlock() }
        guard let started else { return }
        let seconds = Date().timeIntervalSince(started)
        let text = completed ? "\r" + "support: database updated in \(String(format: "%.1f", seconds)) s" + "\u{1B}[K\n" : "\n"
        FileHandle.standardError.write(Data(text.utf8))
        self.started = nil
    }
}
