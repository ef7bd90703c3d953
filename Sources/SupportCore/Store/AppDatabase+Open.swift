import Foundation
import GRDB
import GRDBSQLite
import Logging
#if canImport(Glibc)
import Glibc
#endif

extension AppDatabase {
    /// Opens (creating if needed) the database file at `path` for use by several processes at
    /// once: WAL, a busy timeout, and migrations serialised across processes.
    /// A new file is created with mode 0600; its directory must exist unless `createDirectory`.
    public static func open(
        path: String, createDirectory: Bool, busyTimeout: TimeInterval = 5, logger: Logger = Logger(label: "support.store")
    ) throws(SupportError) -> AppDatabase {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard createDirectory else {
                throw .storage("the directory \(directory) does not exist; create it or choose another --db")
            }
            if mkdir(directory, 0o700) != 0, errno != EEXIST {
                // The parents may be missing too (a fresh home without ~/.local/share).
                do {
                    try FileManager.default.createDirectory(
                        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw .storage("cannot create the directory \(directory): \(String(cString: strerror(errno)))")
                }
            }
        } else if !isDirectory.boolValue {
            throw .storage("\(directory) is not a directory")
        }
        // Create the file ourselves so that it is private from the first byte.
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            close(fd)
        } else if errno != EEXIST {
            throw .storage("cannot create the database \(path): \(String(cString: strerror(errno)))")
        }

        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        // One connection in WAL mode: a `support` process runs one command, so a pool's second
        // (reader) connection only added start-up time. Other processes still read while this
        // one writes (WAL), and writes begin IMMEDIATE, waiting up to the busy timeout.
        config.journalMode = .wal
        config.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a process killed at any moment loses nothing that was
            // committed; only a power cut may lose the last transactions, never consistency.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Keep the -wal file when the last connection closes. Without it, every `support`
            // run found no WAL and GRDB wrote a dummy transaction to create one, and every exit
            // checkpointed and deleted it: two fsyncs for a plain read.
            var persist: Int32 = 1
            _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        }
        // GRDB writes a transaction on open when the -wal file is missing or empty (a file
        // copied or restored on its own), and the checkpoint at exit writes it into the file.
        // On a truncated or damaged file, or one from a newer support, that write changed the
        // very file we then refused (and a write to a truncated file could even succeed). So
        // such a file is first looked at read-only. Steady state (a -wal file that persists)
        // skips this. (Found by ReliabilityDatabaseFaultTests.)
        // The first opens of a file (no -wal yet) switch it to WAL and create the -wal file, and
        // two processes doing that at once could fail ("could not activate WAL mode", or a
        // schema change seen mid-statement). So until a -wal file exists, opening and migrating
        // happen under the same exclusive lock as migrations. Steady state takes no lock.
        let firstOpen = fileSize(path + "-wal") == 0
        let lock = firstOpen ? try translatingErrors { try FileLock(path: path + ".lock") } : nil
        defer { lock?.unlock() }
        if firstOpen && fileSize(path) > 0 {
            try translatingErrors { try checkBeforeFirstWrite(path: path, busyTimeout: busyTimeout) }
        }
        return try translatingErrors {
            let queue = try DatabaseQueue(path: path, configuration: config)
            // Under the lock already, migrateIfNeeded must not lock again (flock on a second
            // descriptor of the same file would wait for ourselves).
            try migrateIfNeeded(queue, lockPath: firstOpen ? nil : path + ".lock", logger: logger)
            return AppDatabase(migrated: queue, logger: logger)
        }
    }
}

extension AppDatabase {
    /// The size of a regular file; 0 when missing or not a regular file (a directory is left
    /// for SQLite to refuse).
    static func fileSize(_ path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return 0 }
        return Int(info.st_size)
    }

    /// Refuses, without writing a byte, a file shorter than its header says (truncated), one
    /// whose schema or a table's first page cannot be read, or one a newer support migrated. Not `PRAGMA quick_check`:
    /// this runs whenever another SQLite client (a backup script, the sqlite3 shell) deleted the
    /// -wal file, and quick_check reads every page: 230 ms at 100,000 tickets, seconds at a
    /// million. Damage deeper in the file is met, and refused, when its pages are read.
    static func checkBeforeFirstWrite(path: String, busyTimeout: TimeInterval) throws {
        let corrupt = SupportError.storage("the database file is corrupt; restore it from a backup")
        // Plain read(2): FileHandle traps on a read error.
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            var header = [UInt8](repeating: 0, count: 100)
            let count = Glibc.read(fd, &header, 100)
            close(fd)
            if count < 100 { header = [] }
            func word(_ at: Int) -> Int { header[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
            if header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)), word(92) == word(24) {
                let pageSize = Int(header[16]) << 8 | Int(header[17])
                let pages = word(28)
                if pages > 0, fileSize(path) < pages * (pageSize == 1 ? 65_536 : pageSize) { throw corrupt }
            }
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(busyTimeout)
        try DatabaseQueue(path: path, configuration: config).read { db in
            // The schema and the first page of every table: cheap, and enough to meet a damaged
            // schema or table root before anything is written.
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'
                """)
            for table in tables {
                _ = try Row.fetchOne(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) LIMIT 1")
            }
            if try Schema.migrator.hasBeenSuperseded(db) { throw SupportError.storage(newerVersionMessage) }
        }
    }
}

/// An exclusive advisory lock on a file, held until `unlock` (or process exit).
struct FileLock {
    let fd: Int32

    init(path: String) throws {
        fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SupportError.storage(
                "cannot create the lock file \(path) (\(String(cString: strerror(errno)))): the database's directory must be writable")
        }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(fd)
                throw SupportError.storage("cannot lock \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    func unlock() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
