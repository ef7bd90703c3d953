import Foundation
import Logging

/// A desk's storage as a front end holds it, whichever engine is under it: an SQLite file
/// (`AppDatabase`) or a PostgreSQL database (`PostgresStore`, reached through the driver a binary
/// installed in `PostgresConnector`). Front ends open one and give it to `HelpDesk`; the store's
/// protocol stays internal to the core.
public struct DeskStorage: Sendable {
    let store: any DeskStore

    /// The SQLite file, when the desk is one (nil for PostgreSQL).
    public var path: String? { store.path }

    /// Where the desk is, as a person may be shown it (never a password).
    public var description: String {
        if let postgres = store as? PostgresStore { return postgres.location.description }
        return store.path ?? "an in-memory desk"
    }

    /// Whether the desk is on PostgreSQL.
    public var isPostgres: Bool { store is PostgresStore }

    public static func sqlite(_ database: AppDatabase) -> DeskStorage {
        DeskStorage(store: database)
    }

    /// Connects to the PostgreSQL desk at `uri` (a `postgresql://` `--db`), migrating it if
    /// needed. The password comes from `PGPASSWORD` or the password file, never from `uri`.
    /// `connections`: 1 for a command; the server's request threads share more.
    public static func postgres(_ uri: String, environment: [String: String], home: String?, busyTimeout: TimeInterval = 5,
                                connections: Int = 1, logger: Logger = Logger(label: "support.store"),
                                migrationProgress: MigrationProgressHandler? = nil) throws(SupportError) -> DeskStorage {
        let location = try PostgresLocation.parse(uri, environment: environment, home: home)
        return DeskStorage(store: try PostgresStore.open(location, busyTimeout: busyTimeout, connections: connections, logger: logger,
                                                                migrationProgress: migrationProgress))
    }

    /// Connects to the PostgreSQL desk a config file's `[postgres]` section describes; its
    /// password, when it has one, wins over PGPASSWORD and the password file.
    public static func postgres(_ settings: PostgresSettings, environment: [String: String], home: String?, busyTimeout: TimeInterval = 5,
                                connections: Int = 1, logger: Logger = Logger(label: "support.store"),
                                migrationProgress: MigrationProgressHandler? = nil) throws(SupportError) -> DeskStorage {
        let location = try PostgresLocation.resolve(settings, environment: environment, home: home)
        return DeskStorage(store: try PostgresStore.open(location, busyTimeout: busyTimeout, connections: connections, logger: logger,
                                                                migrationProgress: migrationProgress))
    }

    /// Closes the file or the connections, once every user of the storage is done.
    public func close() throws(SupportError) {
        if let database = store as? AppDatabase { try database.close() }
        if let postgres = store as? PostgresStore { postgres.close() }
    }
}
