import Foundation
import GRDB

extension AppDatabase {
    /// Every setting, with defaults for those never set.
    func settings() throws(SupportError) -> [SettingKey: String] {
        try read { db in try Self.fetchSettings(db) }
    }

    static func fetchSettings(_ db: Database) throws -> [SettingKey: String] {
        var values = Dictionary(uniqueKeysWithValues: SettingKey.allCases.map { ($0, $0.defaultValue) })
        // Cached: read again for every message of a mail-in batch and every mail it causes.
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM setting")) {
            if let key = SettingKey(rawValue: row[0]) { values[key] = row[1] }
        }
        return values
    }

    /// Stores an already normalised value; returns the previous one.
    @discardableResult
    func setSetting(_ key: SettingKey, to value: String, actor: PersonReference = .localOperator) throws(SupportError) -> String {
        try write { db in
            let old = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key.rawValue]) ?? key.defaultValue
            try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [key.rawValue, value])
            // Setting a value it already has changes nothing, as a user update that changes
            // nothing: no entry (the audit trail would otherwise say "a → a").
            if old != value {
                try Self.audit(db, actor: actor, action: .settingChanged, field: key.rawValue, old: old, new: value)
            }
            return old
        }
    }

    /// Removes a stored value, so that the key reads as its default (and follows the default if
    /// a later version changes it); returns the value it had. Audited as a change to the
    /// default, unless it already had it.
    @discardableResult
    func resetSetting(_ key: SettingKey, actor: PersonReference = .localOperator) throws(SupportError) -> String {
        try write { db in
            let old = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key.rawValue]) ?? key.defaultValue
            try db.execute(sql: "DELETE FROM setting WHERE key = ?", arguments: [key.rawValue])
            if old != key.defaultValue {
                try Self.audit(db, actor: actor, action: .settingChanged, field: key.rawValue, old: old, new: key.defaultValue)
            }
            return old
        }
    }
}
