import Foundation
import SupportCore

/// Text for the `notify` commands (their JSON is the core's: JSONRenderer).
enum NotifyRendering {
    static func summaryText(_ s: OutboxFlusher.Summary) -> String {
        "notify flush: \(s.sent) sent, \(s.retried) to retry, \(s.failed) failed"
    }

    static func dueText(_ due: [OutboxDelivery]) -> String {
        guard !due.isEmpty else { return "Nothing to send." }
        return due.map { "#\($0.id) to \($0.recipient): \(TerminalText.sanitize($0.subject))" }.joined(separator: "\n")
            + "\n\(due.count) message\(due.count == 1 ? "" : "s") would be sent."
    }

    /// `others`: the whole outbox, when a filter matched nothing, so the line can say what is there.
    static func listText(_ messages: [OutboxMessage], filter: OutboxMessage.Status? = nil, others: [OutboxMessage] = [],
                         renderer: TerminalRenderer) -> String {
        if messages.isEmpty, let filter {
            let counts = OutboxMessage.Status.allCases.compactMap { status -> String? in
                let count = others.count { $0.status == status }
                return count == 0 ? nil : "\(count) \(status.rawValue)"
            }
            return "No \(filter.rawValue) messages" + (counts.isEmpty ? "; the outbox is empty." : " (\(counts.joined(separator: ", "))).")
        }
        guard !messages.isEmpty else { return "The outbox is empty." }
        return messages.map { m in
            var line = "#\(m.id)  \(m.status.rawValue)  \(m.ticketNumber.isEmpty ? "-" : m.ticketNumber)  \(m.kind)  to \(m.recipient)  attempts \(m.attempts)"
            if m.status == .pending && m.attempts > 0 { line += "  next \(TerminalRenderer.shortDate(m.nextAttemptAt))" }
            if let error = m.lastError, m.status != .sent { line += "\n    last error: \(TerminalText.sanitize(error))" }
            return line
        }.joined(separator: "\n")
    }
}
