import Foundation
import Logging
import ServiceLifecycle
import SupportCore

/// `support serve --flush-every 30s`: drains the outbox as `notify flush` does, with the same
/// flusher and the same leases, so a cron `notify flush` beside the server never sends a message
/// twice. The mail program and the attempt limit are read from the settings at every round.
struct OutboxFlushService: Service {
    let database: DeskStorage
    let interval: Duration
    let logger: Logger
    /// Messages per round: a shutdown waits for at most one round, not for a whole backlog.
    static let roundLimit = 200
    static let jobs = 4

    func run() async throws {
        // On SIGTERM the sleep is cancelled; a round in progress finishes its sends first (they
        // run outside the task, and its leases are recorded as each result is).
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let summary = await round()
                // A full round means more is due: go again at once.
                if summary?.attempted ?? 0 < Self.roundLimit {
                    try await Task.sleep(for: interval)
                }
            }
        }
    }

    /// SUPPORT_MAIL_LEASE_SECONDS, read as `notify flush` reads it: tests of several hosts kill a
    /// server and need its claims to run out in seconds, not in the default's two minutes.
    static let leaseForTests: TimeInterval? = ProcessInfo.processInfo.environment["SUPPORT_MAIL_LEASE_SECONDS"]
        .flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil }

    /// One `notify flush --limit roundLimit`, off the server's threads (it waits on child processes).
    func round() async -> OutboxFlusher.Summary? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: flushNow())
            }
        }
    }

    func flushNow() -> OutboxFlusher.Summary? {
        do {
            let desk = HelpDesk(storage: database, actor: .localOperator, logger: logger)
            var flusher = try desk.mailFlusher(sendmail: nil, jobs: Self.jobs, timeout: 60)
            if let lease = Self.leaseForTests { flusher.lease = lease }
            let summary = try flusher.flush(limit: Self.roundLimit)
            if let problem = summary.configurationProblem {
                logger.warning("mail not flushed", metadata: ["reason": "\(problem)"])
            } else if summary.attempted > 0 {
                logger.info("mail flushed", metadata: ["sent": "\(summary.sent)", "retried": "\(summary.retried)",
                                                      "failed": "\(summary.failed)"])
            }
            return summary
        } catch {
            logger.warning("mail not flushed", metadata: ["reason": "\(error.message)"])
            return nil
        }
    }

    /// `30s`, `5m`, `1h` (or plain seconds): from 1 second to a day.
    static func interval(_ text: String) throws(SupportError) -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        var digits = Substring(trimmed)
        var unit = 1
        if let last = trimmed.last, let seconds = units[last] {
            unit = seconds
            digits = digits.dropLast()
        }
        guard digits.count <= 6, let count = Int(digits), count > 0, count * unit <= 86_400 else {
            throw .invalidInput(field: "flush-every", "--flush-every must be like 30s, 5m or 1h, from 1 second to a day")
        }
        return .seconds(count * unit)
    }
}
