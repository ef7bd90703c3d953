import Foundation
import GRDB

extension AppDatabase {
    /// A stored date, read from GRDB's storage text without building a calendar per value (the
    /// same `Date` to the bit: CivilTimeTests); any other shape a hand edit may have left is
    /// still decoded by GRDB. A missing or unreadable value is a damaged file.
    static func storedDate(_ row: Row, _ index: Int) throws -> Date {
        guard let date = try storedDate(row, index, optional: true) else {
            throw SupportError.storage(Wording("the database holds a date this version cannot read; "
                + "the file may be corrupt; check it with sqlite3 'PRAGMA integrity_check' and restore it from a backup"))
        }
        return date
    }

    static func storedDate(_ row: Row, _ index: Int, optional: Bool) throws -> Date? {
        let value: DatabaseValue = row[index]
        switch value.storage {
        case .null:
            return nil
        case .string(let text):
            if let civil = CivilTime(storage: text) { return civil.date }
            fallthrough
        default:
            guard let date = Date.fromDatabaseValue(value) else {
                throw SupportError.storage(Wording("the database holds a date this version cannot read ('\(Validation.printable(String(describing: value)))'); "
                    + "the file may be corrupt; check it with sqlite3 'PRAGMA integrity_check' and restore it from a backup"))
            }
            return date
        }
    }
}
