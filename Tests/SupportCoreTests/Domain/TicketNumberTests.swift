import Testing
@testable import SupportCore

@Suite("TicketNumber")
struct TicketNumberTests {
    @Test(arguments: [(1, "ST-2026-001"), (42, "ST-2026-042"), (999, "ST-2026-999"), (1000, "ST-2026-1000"), (123_456, "ST-2026-123456")])
    func formatsAtLeastThreeDigits(_ sequence: Int, _ expected: String) {
        #expect(TicketNumber(year: 2026, sequence: sequence).description == expected)
    }

    @Test(arguments: [
        ("ST-2026-001", 2026, 1), ("st-2026-001", 2026, 1), ("St-2026-7", 2026, 7), (" ST-2026-1000 ", 2026, 1000),
        ("ST-1999-999", 1999, 999),
    ])
    func parsesEitherCaseAndShortSequences(_ text: String, _ year: Int, _ sequence: Int) throws {
        let number = try TicketNumber.parse(text)
        #expect(number == TicketNumber(year: year, sequence: sequence))
    }

    @Test func roundTripsThroughItsDescription() throws {
        for sequence in [1, 9, 10, 99, 100, 998, 999, 1000, 1001, 99_999] {
            let number = TicketNumber(year: 2031, sequence: sequence)
            #expect(try TicketNumber.parse(number.description) == number)
        }
    }

    @Test(arguments: [
        "", "ST", "ST-2026", "ST-2026-", "ST-2026-000", "ST-2026-0", "ST-26-001", "ST-1969-001", "XT-2026-001",
        "ST-2026-001-2", "ST-2026--1", "ST-2026-+1", "ST-2026-1a", "ST-2026-1234567890", "ST-２０２６-001",
        "../../etc/passwd", "ST-2026-001/../../x", "ST-2026-001; DROP TABLE ticket", "ST-2026-001'--", "ST-2026-001\n",
        "ST-2026-001\u{0}", "ST-2026-٠٠١",
    ])
    func refusesEverythingElse(_ text: String) {
        // Given text that is not exactly a ticket number (paths, SQL, other digits)
        // When parsed
        let error = failure { _ = try TicketNumber.parse(text) }
        // Then it is invalid input for the ticket field, never a lookup
        #expect(error?.code == "INVALID_INPUT")
        if case .invalidInput(let field, _)? = error { #expect(field == "ticket") }
    }

    @Test func ordersByYearThenSequence() {
        let numbers = [TicketNumber(year: 2027, sequence: 1), TicketNumber(year: 2026, sequence: 1000),
                       TicketNumber(year: 2026, sequence: 999)]
        #expect(numbers.sorted().map(\.description) == ["ST-2026-999", "ST-2026-1000", "ST-2027-001"])
    }
}

@Suite("TicketNumber: the canonical fast path")
struct TicketNumberCanonicalTests {
    /// The rule as first written (Foundation's trimming, upper-casing and splitting): the byte
    /// reader must agree with it.
    static func splitOracle(_ text: String) -> TicketNumber? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let parts = t.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "ST",
              parts[1].count == 4, parts[1].allSatisfy(\.isASCIIDigit), let year = Int(parts[1]), year >= 1970,
              (1...9).contains(parts[2].count), parts[2].allSatisfy(\.isASCIIDigit), let seq = Int(parts[2]), seq >= 1
        else { return nil }
        return TicketNumber(year: year, sequence: seq)
    }

    @Test func readsWhatTheGeneralPathReadsAndNothingElse() throws {
        let texts = ["ST-2026-001", "st-2026-1", "St-1970-999999999", "ST-2026-1000000000", "ST-1969-001", "ST-2026-000",
                     "ST-2026-", "ST--001", "ST-20261-001", "ST-226-001", " ST-2026-001", "ST-2026-001 ", "ST-2026-0-1",
                     "ST-2026-001-", "SX-2026-001", "ST_2026_001", "ST-２０26-001", "ST-2026-00１", "", "S", "ST-9999-1",
                     "ST-2026-\u{0}01", "ST-2026-01e", "ST+2026-001", "sT-2026-42"]
        for text in texts {
            let general = Self.splitOracle(text)
            if let fast = TicketNumber.parseCanonical(text) {
                #expect(fast == general, "\(text)")
            } else if text.allSatisfy({ $0.isASCII && !$0.isWhitespace }) {
                // Nothing canonical and ASCII is refused by the fast path only if the general one refuses it too
                #expect(general == nil, "\(text)")
            }
            #expect((try? TicketNumber.parse(text)) == general, "\(text)")
        }
    }
}
