import Foundation
import Synchronization

/// Failed authentications per client address: past `limit` in a `window`, that address gets 429
/// until the window ends, so guessing tokens costs a guesser time (and a log line each).
final class FailedAuthLimiter: Sendable {
    struct Entry { var windowStart: Date; var failures: Int }

    let limit: Int
    let window: TimeInterval
    private let entries = Mutex<[String: Entry]>([:])

    init(limit: Int = 20, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds to wait when the address is blocked now; nil when it may try.
    func blocked(_ address: String, now: Date = Date()) -> Int? {
        entries.withLock { entries in
            guard let entry = entries[address] else { return nil }
            let end = entry.windowStart.addingTimeInterval(window)
            if now >= end { entries[address] = nil; return nil }
            return entry.failures >= limit ? max(1, Int(end.timeIntervalSince(now).rounded(.up))) : nil
        }
    }

    func recordFailure(_ address: String, now: Date = Date()) {
        entries.withLock { entries in
            // Bounded memory: a flood from many addresses forgets the old windows.
            if entries.count > 100_000 { entries.removeAll() }
            if var entry = entries[address], now < entry.windowStart.addingTimeInterval(window) {
                entry.failures += 1
                entries[address] = entry
            } else {
                entries[address] = Entry(windowStart: now, failures: 1)
            }
        }
    }
}
