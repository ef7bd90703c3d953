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

    /// Accepts `ST-2026-001` in any case, and `st-2026-1`, with blanks around; refuses everything
    /// else, including anything that could be a path or carry SQL.
    public static func parse(_ text: String) throws(SupportError) -> TicketNumber {
        // Every stored number is canonical: read from its bytes at once. Only typed input may
        // need Foundation's trimming and upper-casing (an eighth of an export when done for all).
        guard let number = parseCanonical(text) ?? parseCanonical(text.trimmingCharacters(in: .whitespaces).uppercased()) else {
            throw .invalidInput(field: "ticket", "'\(Validation.printable(text))' is not a ticket number (expected ST-2026-001)")
        }
        return number
    }

    /// `ST-2026-001` (or `st-…`) exactly, read from its bytes: "ST", a four-digit year from 1970,
    /// a sequence of one to nine digits from 1, hyphens between. nil for anything else.
    static func parseCanonical(_ text: String) -> TicketNumber? {
        var utf8 = text.utf8.makeIterator()
        func letter(_ upper: UInt8) -> Bool { utf8.next().map { $0 == upper || $0 == upper + 32 } ?? false }
        guard letter(UInt8(ascii: "S")), letter(UInt8(ascii: "T")), utf8.next() == UInt8(ascii: "-") else { return nil }
        var year = 0, sequence = 0, yearDigits = 0, sequenceDigits = 0, inSequence = false
        while let byte = utf8.next() {
            if byte == UInt8(ascii: "-"), !inSequence {
                inSequence = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                if inSequence {
                    sequence = sequence * 10 + Int(byte - UInt8(ascii: "0"))
                    sequenceDigits += 1
                } else {
                    year = year * 10 + Int(byte - UInt8(ascii: "0"))
                    yearDigits += 1
                }
            } else {
                return nil
            }
            if yearDigits > 4 || sequenceDigits > 9 { return nil }
        }
        guard inSequence, yearDigits == 4, year >= 1970, sequenceDigits >= 1, sequence >= 1 else { return nil }
        return TicketNumber(year: year, sequence: sequence)
    }

    /// The last sequence a number can have: `parse` reads at most nine digits.
    public static let maximumSequence = 999_999_999

    /// Refuses a new number that `parse` could not read back. Only an import can bring a year
    /// to ST-YYYY-999999999; the ticket after it was stored as ST-YYYY-1000000000, which no
    /// command could name, and reading its row made every `ticket list` and `export` fail.
    /// (Found by ReliabilityStoredTextTests.)
    static func checkAssignable(year: Int, sequence: Int) throws(SupportError) {
        guard (1970...9999).contains(year) else {
            throw .invalidInput(field: "createdAt", "a ticket of the year \(year) cannot be numbered (years 1970 to 9999 only)")
        }
        guard sequence <= maximumSequence else {
            throw .invalidInput(field: "ticketNumber", "no ticket numbers are left for \(year): ST-\(year)-\(maximumSequence) is taken")
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.sequence) < (rhs.year, rhs.sequence)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

import Foundation
