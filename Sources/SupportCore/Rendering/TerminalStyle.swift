/// How terminal output looks: colour only on a terminal without `NO_COLOR` (the command layer
/// decides), and the width to fit tables into.
public struct TerminalStyle: Sendable {
    public var color: Bool
    public var width: Int

    public init(color: Bool, width: Int) {
        self.color = color
        self.width = max(40, width)
    }

    public static let plain = TerminalStyle(color: false, width: 100)

    func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }

    func badge(_ status: TicketStatus) -> String {
        let text = "[\(status.title)]"
        switch status {
        case .open: return paint(text, "1;34")
        case .inProgress: return paint(text, "1;33")
        case .resolved: return paint(text, "1;32")
        case .closed: return paint(text, "2")
        }
    }

    func badge(_ priority: TicketPriority) -> String {
        let text = "[\(priority.title)]"
        switch priority {
        case .low: return paint(text, "2")
        case .medium: return text
        case .high: return paint(text, "33")
        case .critical: return paint(text, "1;31")
        }
    }
}
