import Foundation
import SupportCore

/// Text and JSON for the `mail` commands.
enum MailRendering {
    static func recordJSON(_ r: InboundRecord) -> JSONValue {
        .object([
            ("id", .int(r.id)), ("receivedAt", .string(ISO8601.string(r.receivedAt))),
            ("messageId", r.messageID.map(JSONValue.string) ?? .null), ("sha256", .string(r.digest)),
            ("sender", r.sender.map(JSONValue.string) ?? .null), ("subject", r.subject.map(JSONValue.string) ?? .null),
            ("outcome", .string(r.outcome.rawValue)), ("reason", r.reason.map(JSONValue.string) ?? .null),
            ("ticketNumber", r.ticketNumber.map(JSONValue.string) ?? .null),
            ("responseId", r.responseID.map(JSONValue.int) ?? .null),
            ("size", .int(Int64(r.size))), ("truncated", .bool(r.truncated)),
        ])
    }

    static func recordsJSON(_ records: [InboundRecord]) -> String {
        JSONValue.object([("messages", .array(records.map(recordJSON)))]).serialized(pretty: true)
    }

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
