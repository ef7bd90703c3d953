/// `ST-<year>-<sequence>`, the sequence at least three digits: ST-2026-001 … ST-2026-999, ST-2026-1000.
public struct TicketNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let sequence: Int

    public init(year: Int, sequence: Int) {
        self.year = year
        self.sequence = sequence
    }

    public var description: String {
        let digits = String(sequence)
        return "ST-\(year)-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    /// Accepts `ST-2026-001` in any case, and `st-2026-1`; refuses everything else, including
    /// anything that could be a path or carry SQL.
    public static func parse(_ text: String) throws(SupportError) -> TicketNumber {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let parts = t.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "ST",
              parts[1].count == 4, parts[1].allSatisfy(\.isASCIIDigit), let year = Int(parts[1]), year >= 1970,
              (1...9).contains(parts[2].count), parts[2].allSatisfy(\.isASCIIDigit), let seq = Int(parts[2]), seq >= 1
        else {
            throw .invalidInput(field: "ticket", "'\(Validation.printable(text))' is not a ticket number (expected ST-2026-001)")
        }
        return TicketNumber(year: year, sequence: seq)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.sequence) < (rhs.year, rhs.sequence)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

import Foundation
