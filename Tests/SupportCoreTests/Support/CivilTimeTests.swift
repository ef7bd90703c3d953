import Foundation
import GRDB
import Testing
@testable import SupportCore

/// CivilTime replaces Foundation's calendar and format styles and GRDB's date decoding on the hot
/// paths; it must agree with them exactly.
@Suite("CivilTime")
struct CivilTimeTests {
    /// Milliseconds since 1970 spread over 1900-2200, with the edges that break calendar code.
    static var samples: [Int] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var values = [0, 1, 999, 1000, 86_399_999, 86_400_000, -1, -86_400_000, 951_782_400_000, 951_868_799_999,
                      4_107_542_400_000, 1_773_500_966_000, 1_773_500_966_653, 1_773_500_966_907]
        for _ in 0..<5000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Int(state >> 1) % 9_467_280_000_000 - 2_208_988_800_000)
        }
        return values
    }

    @Test func iso8601TextIsWhatTheFormatStylePrinted() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
        for ms in Self.samples {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let expected = ISO8601.snappedToMillisecond(date).formatted(style)
            #expect(CivilTime(date).iso8601 == expected, "\(ms)")
        }
    }

    @Test func minutesAreWhatTheCalendarSaid() {
        for ms in Self.samples {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let c = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute], from: ISO8601.snappedToMillisecond(date))
            let expected = String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
            #expect(CivilTime(date).minutes == expected, "\(ms)")
        }
    }

    @Test func storageTextDecodesToGRDBsDateToTheBit() throws {
        let queue = try DatabaseQueue()
        for ms in Self.samples where ms >= 0 {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let text = try queue.read { db in try String.fetchOne(db, sql: "SELECT ?", arguments: [date])! }
            let grdb = try queue.read { db in try Date.fetchOne(db, sql: "SELECT ?", arguments: [text])! }
            let ours = try #require(CivilTime(storage: text), "\(text)")
            #expect(ours.date.timeIntervalSinceReferenceDate.bitPattern == grdb.timeIntervalSinceReferenceDate.bitPattern, "\(text)")
            #expect(ours.storageText == text)
            // And written back it is the same text
            let again = try queue.read { db in try String.fetchOne(db, sql: "SELECT ?", arguments: [ours.date])! }
            #expect(again == text)
        }
    }

    @Test func storageTextOfAnotherShapeIsNotGuessed() {
        for text in ["2026-03-14", "2026-03-14 16:09:26", "2026-03-14T16:09:26.000", "2026-13-14 16:09:26.000",
                     "2026-03-14 16:09:26.0000", "2026-03-14 24:00:00.000", "２０26-03-14 16:09:26.000", ""] {
            #expect(CivilTime(storage: text) == nil, "\(text)")
        }
    }
}
