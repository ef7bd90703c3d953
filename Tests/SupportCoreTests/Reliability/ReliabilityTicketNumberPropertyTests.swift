import Foundation
import PropertyBased
import Testing

@testable import SupportCore

/// Part 7: property-based tests of ticket numbers: formatting then parsing gives the number back,
/// parsing then formatting gives the canonical spelling, the order is the numbers' order, and no
/// text parses into anything that is not a plain ticket number.
@Suite("reliability: ticket number properties")
struct ReliabilityTicketNumberPropertyTests {
    static let year = Gen<Int>.int(in: 1970...9999)
    static let sequence = Gen<Int>.oneOf(Gen<Int>.int(in: 1...999), Gen<Int>.int(in: 1...TicketNumber.maximumSequence))
    static let number = Gen<TicketNumber>.oneOf(
        Gen<Int>.int(in: 1970...9999).map { TicketNumber(year: $0, sequence: 1) },
        Gen<Int>.int(in: 1...TicketNumber.maximumSequence).map { TicketNumber(year: 2026, sequence: $0) },
        Gen<Int>.int(in: 1...999).map { TicketNumber(year: 2026, sequence: $0) }
    )

    @Test func formatThenParseIsTheIdentity() async {
        await propertyCheck(count: 1000, input: Self.year, Self.sequence) { year, sequence in
            let number = TicketNumber(year: year, sequence: sequence)
            let text = number.description
            #expect((try? TicketNumber.parse(text)) == number, "\(text)")
            // Also in lower case, padded with spaces, and with the sequence unpadded
            #expect((try? TicketNumber.parse(" " + text.lowercased() + " ")) == number)
            #expect((try? TicketNumber.parse("ST-\(year)-\(sequence)")) == number)
            // The spelling is canonical: ST-, four digits, at least three digits
            #expect(text.wholeMatch(of: /ST-[0-9]{4}-[0-9]{3,9}/) != nil, "\(text)")
        }
        print("reliability: ticket-number-roundtrip cases=1000")
    }

    @Test func parseThenFormatGivesTheCanonicalSpelling() async {
        // Any text that parses is a number whose canonical text parses to the same number
        let noise = Gen<String>.oneOf(
            Gen<Character>.ascii.string(of: 0...14),
            Gen<Character?>.element(of: Array("STst-0123456789 ﬆſ٣") as [Character]).map { $0! }.string(of: 8...14),
            Self.year.map { "ST-\($0)-" }, Self.sequence.map { "st-2026-\($0)" },
            Self.sequence.map { "ST-2026-\($0)/../../etc/passwd" }, Self.sequence.map { "ST-2026-\($0)' OR 1=1" }
        )
        var parsedCount = 0
        await propertyCheck(count: 1500, input: noise) { text in
            guard let number = try? TicketNumber.parse(text) else { return }
            parsedCount += 1
            let canonical = number.description
            #expect((try? TicketNumber.parse(canonical)) == number, "\(text.debugDescription) -> \(canonical)")
            #expect(canonical.wholeMatch(of: /ST-[0-9]{4}-[0-9]{3,9}/) != nil, "\(text.debugDescription) -> \(canonical)")
            #expect((1970...9999).contains(number.year) && (1...TicketNumber.maximumSequence).contains(number.sequence))
        }
        print("reliability: ticket-number-parse cases=1500 parsed=\(parsedCount)")
    }

    @Test func orderIsTheOrderOfYearThenSequence() async {
        await propertyCheck(count: 1000, input: Self.number, Self.number) { a, b in
            #expect((a < b) == ((a.year, a.sequence) < (b.year, b.sequence)))
            #expect((a == b) == (a.description == b.description))
            // Within a year and with as many digits, the text sorts as the numbers do
            if a.year == b.year, a.description.count == b.description.count {
                #expect((a < b) == (a.description < b.description))
            }
        }
        print("reliability: ticket-number-order cases=1000")
    }

    @Test func numbersThatCannotBeReadBackAreNeverAssigned() async {
        await propertyCheck(count: 500, input: Gen<Int>.int(in: -5...12_000), Gen<Int>.int(in: 0...2_000_000_000)) { year, sequence in
            let assignable = (try? TicketNumber.checkAssignable(year: year, sequence: sequence)) != nil
            let readable = (try? TicketNumber.parse(TicketNumber(year: year, sequence: sequence).description)) != nil
            // checkAssignable is what keeps ST-YYYY-1000000000 out of the file
            if assignable && sequence >= 1 { #expect(readable, "\(year) \(sequence)") }
            if sequence > TicketNumber.maximumSequence || !(1970...9999).contains(year) { #expect(!assignable) }
        }
        print("reliability: ticket-number-assignable cases=500")
    }
}
