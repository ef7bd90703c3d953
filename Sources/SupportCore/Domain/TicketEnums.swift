/// A value of one of the seed's enums: stored under a stable slug, printed as the seed spells it,
/// and parsed case-insensitively from either spelling (`technical-issue`, `"Technical Issue"`).
public protocol SeedEnum: CaseIterable, Sendable, Hashable {
    /// The seed's spelling, e.g. "Technical Issue".
    var title: String { get }
    /// The command-line spelling, e.g. "technical-issue".
    var slug: String { get }
    /// The name used in error messages, e.g. "category".
    static var fieldName: String { get }
}

extension SeedEnum {
    /// The title in lower case with dashes for spaces (titles are ASCII; Foundation's
    /// `lowercased` and `replacingOccurrences` cost 4 % of a `ticket list`).
    public var slug: String {
        String(decoding: title.utf8.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: " "): UInt8(ascii: "-")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
            default: byte
            }
        }, as: UTF8.self)
    }

    /// Accepts either spelling, any case, with `_` or `-` or spaces between words.
    public static func parse(_ text: String) throws(SupportError) -> Self {
        // The two exact spellings first: every exported line uses one of them. Titles before
        // slugs, because a slug is computed (an import parses three of these per line).
        if let exact = allCases.first(where: { $0.title == text }) ?? allCases.first(where: { $0.slug == text }) { return exact }
        let key = Self.normalize(text)
        if let match = allCases.first(where: { Self.normalize($0.title) == key }) {
            return match
        }
        let allowed = allCases.map(\.slug).joined(separator: ", ")
        throw .invalidInput(field: fieldName, "unknown \(fieldName) '\(Validation.printable(text))' (expected one of: \(allowed))")
    }

    static func normalize(_ text: String) -> String {
        var out = ""
        for scalar in text.trimmingCharacters(in: .whitespaces).lowercased().unicodeScalars {
            if scalar == "-" || scalar == "_" || scalar == " " { out.append(" ") } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}

public enum TicketCategory: String, SeedEnum {
    case technicalIssue = "technical-issue"
    case accountIssue = "account-issue"
    case featureRequest = "feature-request"
    case generalInquiry = "general-inquiry"
    case bugReport = "bug-report"

    public static let fieldName = "category"
    public var title: String {
        switch self {
        case .technicalIssue: "Technical Issue"
        case .accountIssue: "Account Issue"
        case .featureRequest: "Feature Request"
        case .generalInquiry: "General Inquiry"
        case .bugReport: "Bug Report"
        }
    }
}

/// Stored as its rank so that an index on `priority` sorts from Low to Critical.
public enum TicketPriority: Int, SeedEnum, Comparable {
    case low = 1, medium = 2, high = 3, critical = 4

    public static let fieldName = "priority"
    public var title: String {
        switch self {
        case .low: "Low"
        case .medium: "Medium"
        case .high: "High"
        case .critical: "Critical"
        }
    }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Stored as its place in the workflow so that sorting by status follows the workflow.
public enum TicketStatus: Int, SeedEnum {
    case open = 0, inProgress = 1, resolved = 2, closed = 3

    public static let fieldName = "status"
    public var title: String {
        switch self {
        case .open: "Open"
        case .inProgress: "In Progress"
        case .resolved: "Resolved"
        case .closed: "Closed"
        }
    }
}

public enum Role: String, SeedEnum {
    case user, `internal`, admin

    public static let fieldName = "role"
    public var title: String { rawValue }
    public var isStaff: Bool { self != .user }
}
