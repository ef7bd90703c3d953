import Foundation
import Testing

@testable import SupportCore

@Suite("MailIn: Date header")
struct MailDateParserTests {
    /// 2026-12-05 08:54:08 UTC
    static let instant = Date(timeIntervalSince1970: 1_796_460_848)

    @Test(arguments: [
        "Sat, 5 Dec 2026 09:54:08 +0100",
        "Sat, 05 Dec 2026 08:54:08 +0000",
        "5 Dec 2026 08:54:08 GMT",
        "Sat, 5 Dec 2026 03:54:08 -0500 (EST)",
        "Sat, 5 Dec 2026 03:54:08 EST",
        "Sat, 5 Dec 26 08:54:08 UT",
        "Sat,  5 Dec 2026 08:54:08 +0000 (UTC)",
        "Saturday, 5 December 2026 08:54:08 Z",
    ])
    func rfc5322AndObsoleteFormsAreRead(header: String) {
        #expect(MailDateParser.parse(header) == Self.instant, "\(header)")
    }

    @Test func missingSecondsAndNoZoneAreRead() {
        #expect(MailDateParser.parse("5 Dec 2026 08:54") == Self.instant.addingTimeInterval(-8))
    }

    @Test func anUnreadableZoneCountsAsUTC() {
        #expect(MailDateParser.parse("5 Dec 2026 08:54:08 +99999999999") == Self.instant)
    }

    @Test(arguments: ["", "yesterday", "31 Feb 2026 10:00:00 +0000", "5 Dec 2026 25:00:00 +0000", "Sat, 5 Dec 2026", "5 Dec 999999999999999 10:00:00 +0000"])
    func nonsenseGivesNil(header: String) {
        #expect(MailDateParser.parse(header) == nil)
    }
}
