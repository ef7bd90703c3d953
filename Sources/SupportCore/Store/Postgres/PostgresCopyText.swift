import Foundation

/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN` (columns separated by a tab, rows
/// by a newline, `\N` for NULL, backslash escapes for a backslash, tab, newline and carriage
/// return), for `PostgresSession.copy`: a bulk import sends its rows so, many thousands to a
/// round trip, instead of one statement per row.
///
/// Written here rather than with a library: postgres-nio's `copyFrom` takes bytes and leaves
/// their format to the caller, and the format is the few rules above
/// (https://www.postgresql.org/docs/15/sql-copy.html, "Text Format").
struct PostgresCopyText {
    private(set) var bytes: [UInt8] = []
    private(set) var rows = 0
    private var atRowStart = true

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// A value PostgreSQL could not take in this format (a year out of 1…9999): the caller
    /// writes the rows another way.
    struct Unrepresentable: Error {}

    private mutating func separate() {
        if atRowStart { atRowStart = false } else { bytes.append(0x09) }
    }

    mutating func null() {
        separate()
        bytes.append(contentsOf: [0x5C, 0x4E])  // \N
    }

    mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func double(_ value: Double?) {
        guard let value else { return null() }
        separate()
        // Swift's shortest round-trip form, which PostgreSQL's float8 input reads back exactly.
        bytes.append(contentsOf: "\(value)".utf8)
    }

    mutating func bool(_ value: Bool?) {
        guard let value else { return null() }
        separate()
        bytes.append(value ? 0x74 : 0x66)  // t, f
    }

    /// The bytes between two that need escaping are copied as one run: byte by byte, this was
    /// an eighth of an import's CPU (a ticket's documents are about 2 KB of text).
    mutating func text(_ value: String?) {
        guard var value else { return null() }
        separate()
        value.withUTF8 { utf8 in
            var run = 0
            for index in utf8.indices {
                let escaped: UInt8
                switch utf8[index] {
                case 0x5C: escaped = 0x5C
                case 0x09: escaped = 0x74
                case 0x0A: escaped = 0x6E
                case 0x0D: escaped = 0x72
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                bytes.append(0x5C)
                bytes.append(escaped)
                run = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
    }

    /// `bytea` in its hex input form (`\x0a1b…`), the backslash doubled as the format wants.
    mutating func bytea(_ value: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: [0x5C, 0x5C, 0x78])
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        bytes.reserveCapacity(bytes.count + value.count * 2)
        for byte in value {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
    }

    /// A `timestamptz` to the microsecond, in UTC, the very microsecond postgres-nio's binary
    /// encoding of the same `Date` gives (it truncates the microseconds since 2000-01-01), so
    /// that a row copied and a row inserted read back alike.
    mutating func timestamp(_ value: Date?) throws(Unrepresentable) {
        guard let value else { return null() }
        let micros = try Self.microseconds(value)
        let microsPerDay: Int64 = 86_400_000_000
        var days = micros / microsPerDay
        var inDay = micros % microsPerDay
        if inDay < 0 { days -= 1; inDay += microsPerDay }
        guard let days = Int(exactly: days) else { throw Unrepresentable() }
        let date = CivilDate(daysSince1970: days)
        guard (1...9999).contains(date.year) else { throw Unrepresentable() }
        separate()
        let seconds = inDay / 1_000_000
        pad(date.year, 4); bytes.append(0x2D); pad(date.month, 2); bytes.append(0x2D); pad(date.day, 2)
        bytes.append(0x20)
        pad(seconds / 3600, 2); bytes.append(0x3A); pad(seconds / 60 % 60, 2); bytes.append(0x3A); pad(seconds % 60, 2)
        bytes.append(0x2E); pad(inDay % 1_000_000, 6)
        bytes.append(contentsOf: [0x2B, 0x30, 0x30])  // +00
    }

    /// The rows so far, the buffer emptied for the next (`rows` keeps counting).
    mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    mutating func endRow() {
        bytes.append(0x0A)
        atRowStart = true
        rows += 1
    }

    /// `value`'s last `width` digits, zeros in front, written in place (an array a call was a
    /// tenth of an import's CPU: a ticket has about eleven times, each of seven numbers).
    private mutating func pad(_ value: some BinaryInteger, _ width: Int) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0x30, count: width))
        var rest = Int64(value)
        var index = start + width - 1
        while rest > 0 && index >= start {
            bytes[index] = 0x30 + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }

    /// `value` as the microseconds since 1970 that PostgreSQL stores for it (`timestamp`).
    static func microseconds(_ value: Date) throws(Unrepresentable) -> Int64 {
        let sincePostgresEpoch = Int64(exactly: (value.timeIntervalSince(Self.postgresEpoch) * 1_000_000).rounded(.towardZero))
        guard let sincePostgresEpoch else { throw Unrepresentable() }
        return sincePostgresEpoch + 946_684_800_000_000
    }

    /// `support_seconds(later, earlier)` as the database computes it from the stored
    /// microseconds (`round(extract(epoch FROM later - earlier) * 1000) / 1000`: numeric, its
    /// halves away from zero, then the nearest double), for a row that is copied in with the
    /// trigger that computes it stepped aside.
    static func seconds(from earlier: Date, to later: Date?) throws(Unrepresentable) -> Double? {
        guard let later else { return nil }
        let micros = try microseconds(later) - microseconds(earlier)
        var milliseconds = micros / 1000
        let rest = micros % 1000
        if rest >= 500 { milliseconds += 1 } else if rest <= -500 { milliseconds -= 1 }
        return Double(milliseconds) / 1000
    }

    static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)
}
