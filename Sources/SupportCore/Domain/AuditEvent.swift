import Foundation

/// One recorded change: who did what to which ticket (or setting, or user), and when.
public struct AuditEvent: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case ticketCreated = "ticket.created"
        case ticketChanged = "ticket.changed"
        case ticketReplied = "ticket.replied"
        case ticketNoted = "ticket.noted"
        case ticketDeleted = "ticket.deleted"
        case settingChanged = "setting.changed"
        case userAdded = "user.added"
        case userChanged = "user.changed"

        /// `setting.changed`, in any case and with spaces around; anything else is refused
        /// with the list of actions.
        public static func parse(_ text: String) throws(SupportError) -> Action {
            if let action = Action(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) {
                return action
            }
            let known = allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidInput(field: "action", "unknown action '\(Validation.printable(text))' (expected one of \(known))")
        }
    }

    public var id: Int64
    public var ticketNumber: String?
    public var actor: Person
    public var action: Action
    public var field: String?
    public var oldValue: String?
    public var newValue: String?
    public var isInternal: Bool
    public var createdAt: Date
}
