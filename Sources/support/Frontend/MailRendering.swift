import Foundation
import SupportCore

/// Text for the `mail` commands (their JSON is the core's: JSONRenderer).
enum MailRendering {
    static func line(_ r: InboundRecord) -> String {
        var text = "#\(r.id)  \(r.outcome.rawValue)"
        if let ticket = r.ticketNumber { text += "  \(ticket)" }
        text += "  from \(TerminalText.sanitize(r.sender ?? "(unknown)"))"
        if let subject = r.subject { text += "  \"\(TerminalText.truncate(TerminalText.sanitize(subject), to: 60))\"" }
        if let reason = r.reason { text += "\n    \(TerminalText.sanitize(reason))" }
        return text
    }

    static func ingestText(_ records: [InboundRecord]) -> String {
        guard !records.isEmpty else { return "No messages." }
        return records.map(line).joined(separator: "\n")
    }

    static func listText(_ records: [InboundRecord]) -> String {
        guard !records.isEmpty else { return "No mail has been ingested." }
        return records.map { line($0) + "\n    received \(TerminalRenderer.shortDate($0.receivedAt)), \($0.size) bytes" }.joined(separator: "\n")
    }
}
