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
    /// `readers` > 0 (the server) opens a pool: that many reads run at once beside the one writer,
    /// where a command's single connection would make every request wait for the one before.
    /// `groupCommit` (the server, whose requests write from many threads): writes asked for at
    /// the same time share a transaction (`GroupCommit`).
    public static func open(
        path: String, createDirectory: Bool, busyTimeout: TimeInterval = 5, readers: Int = 0, groupCommit: Bool = false,
        logger: Logger = Logger(label: "support.store"), migrationProgress: MigrationProgressHandler? = nil
    ) throws(SupportError) -> AppDatabase {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard createDirectory else {
                throw .storage("the directory \(directory) does not exist; create it or choose another \(field: "db")")
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
        // Create the file and its side files ourselves, private from the first byte and never
        // through a planted link; a symlink the user made is resolved to the file it names.
        let path = try DatabaseFiles.prepare(path)

        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        if groupCommit {
            // The server's writes wait for a `notify flush` of cron, or a command, that holds the
            // write lock for a moment. SQLite's own wait sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25,
            // 50, 50 then 100 ms between tries, so a lock held for 2 ms could keep a whole batch
            // of requests waiting 25 ms or more; trying every half millisecond does not.
            let tries = Int((busyTimeout / 0.0005).rounded(.up))
            config.busyMode = .callback { attempt in
                guard attempt < tries else { return false }
                usleep(500)
                return true
            }
        }
        // One connection in WAL mode: a `support` process runs one command, so a pool's second
        // (reader) connection only added start-up time. Other processes still read while this
        // one writes (WAL), and writes begin IMMEDIATE, waiting up to the busy timeout.
        // WAL is switched on below, once per file, rather than with GRDB's `journalMode = .wal`:
        // that writes a dummy transaction whenever the -wal file is missing or empty, which is
        // after every run once the -wal is truncated at exit (below).
        config.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a process killed at any moment loses nothing that was
            // committed; only a power cut may lose the last transactions, never consistency.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Keep the -wal file when the last connection closes, but empty (a journal size limit
            // makes SQLite truncate it after the closing checkpoint). Deleted, every run created
            // it again; left full, every run re-read all of it to rebuild the WAL index: after
            // the v6 migration of a 100,000-ticket file, 127 MB and 150 million instructions per
            // `ticket show`.
            var persist: Int32 = 1
            _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
            try db.execute(sql: "PRAGMA journal_size_limit = 4194304")
        }
        // A file not yet in WAL mode (new, or last written by another SQLite client in rollback
        // mode) is switched to WAL and migrated under an exclusive lock: two processes doing that
        // at once could fail ("could not activate WAL mode", or a schema change seen mid-statement).
        // Such a file, when not empty, is first looked at read-only, so that a damaged file or one
        // from a newer support is refused without a byte written. Steady state (the header says
        // WAL) takes no lock and opens one connection.
        var (size, header) = try readCheckedHeader(path)
        let inWAL = header.count == 100 && header[18] == 2 && header[19] == 2
        let lock = inWAL ? nil : try translatingErrors { try FileLock(path: path + ".lock") }
        defer { lock?.unlock() }
        if !inWAL && size > 0 {
            try translatingErrors { try rollBackHotJournal(path: path, busyTimeout: busyTimeout) }
            // The journal rolled back, the file is what it was before the killed transaction.
            (size, header) = try readCheckedHeader(path)
            try translatingErrors { try checkBeforeFirstWrite(path: path, busyTimeout: busyTimeout) }
        }
        return try translatingErrors {
            var poolConfig = config
            poolConfig.maximumReaderCount = max(1, readers)
            let queue: any DatabaseWriter = readers > 0 && inWAL
                ? try DatabasePool(path: path, configuration: poolConfig)
                : try DatabaseQueue(path: path, configuration: config)
            if !inWAL {
                let mode = try queue.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
                guard mode == "wal" else { throw SupportError.storage("cannot switch the database to WAL mode (\(mode ?? "?"))") }
            }
            // A new file takes every migration at once, one transaction each, all in the -wal
            // (1,011,712 bytes of it for an empty desk, which a disk with 1 MiB free could not
            // hold). Checkpointing every 64 pages while it does lets SQLite reuse the -wal from
            // its start, so it stays near the largest migration's size; then back to SQLite's
            // default of 1,000 pages.
            let newFile = size == 0
            if newFile { try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 64") } }
            // Under the lock already, migrateIfNeeded must not lock again (flock on a second
            // descriptor of the same file would wait for ourselves).
            try migrateIfNeeded(queue, lockPath: inWAL ? path + ".lock" : nil, logger: logger, progress: migrationProgress)
            if newFile { try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000") } }
            if groupCommit {
                // Each write of a batch is a savepoint, and SQLite keeps what a savepoint may have
                // to undo in a temporary file: 6,186 of the server's 11,629 pwrite calls in 3 s of
                // creates at 1,000,000 tickets (strace) went to it. In memory on the writer only
                // (a few pages a write); the readers' large sorts stay in files.
                try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
            }
            return AppDatabase(migrated: queue, logger: logger, path: path, groupCommit: groupCommit)
        }
    }
}

extension AppDatabase {
    /// Closes the file for good, leaving its -wal empty, for a process that opened a pool of
    /// readers (the server). A command's single connection needs none of this: its closing
    /// checkpoint empties the -wal when it is released. In a pool it may not: SQLite checkpoints
    /// at close only in the last connection to close, GRDB closes the writer before the readers,
    /// and a reader is read-only, so it cannot. The -wal then stayed behind (131,872 bytes in a
    /// server test, now and then) and the next run re-read it. So: wait for every read and write
    /// to end, checkpoint and truncate the -wal from the writer, then close.
    public func close() throws(SupportError) {
        try Self.translatingErrors {
            try writer.barrierWriteWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try writer.close()
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

    /// The first 100 bytes of the file (the SQLite header); empty when they cannot be read.
    static func readHeader(_ path: String) -> [UInt8] {
        // Plain read(2): FileHandle traps on a read error.
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { Glibc.close(fd) }
        var header = [UInt8](repeating: 0, count: 100)
        return Glibc.read(fd, &header, 100) == 100 ? header : []
    }

    /// The file's size and header (empty when under 100 bytes), after refusing a file shorter
    /// than its header says: truncated (a partial copy, a full disk). Free, from bytes read anyway.
    ///
    /// The size in the header is the file's own only while no WAL holds pages for it (a
    /// checkpoint writes page 1 before the pages that extend the file, and a full disk can stop
    /// it half way with the pages safe in the WAL), so the check runs only when the -wal is
    /// empty. Even then another process's closing checkpoint, which empties the -wal right
    /// after, can be caught between page 1 and the rest: a file is refused only when it is still
    /// short after a few reads 20 ms apart (a truncated file stays short).
    ///
    /// Nor while a rollback journal has content: a writer in rollback-journal mode (a bulk
    /// import) killed in its commit, after page 1 and before the pages that extend the file,
    /// leaves the file short and a hot journal that puts it back (`rollBackHotJournal`, after
    /// which `open` checks again). Refusing it called an intact desk corrupt (BulkImportTests,
    /// DatabaseFileTests.aFileShortOfItsHeaderWithAHotJournalIsRolledBackNotRefused).
    static func readCheckedHeader(_ path: String) throws(SupportError) -> (size: Int, header: [UInt8]) {
        for attempt in 1... {
            let header = readHeader(path)
            let size = fileSize(path)
            if header.isEmpty || fileSize(path + "-wal") != 0 || fileSize(path + "-journal") != 0
                || !isShorterThanItsHeader(header, fileSize: size) {
                return (size, header)
            }
            if attempt == 4 { break }
            usleep(20_000)
        }
        throw .storage("the database file is corrupt; restore it from a backup")
    }

    static func isShorterThanItsHeader(_ header: [UInt8], fileSize: Int) -> Bool {
        func word(_ at: Int) -> Int { header[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        guard header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)), word(92) == word(24) else { return false }
        let pageSize = Int(header[16]) << 8 | Int(header[17])
        let pages = word(28)
        return pages > 0 && fileSize < pages * (pageSize == 1 ? 65_536 : pageSize)
    }

    /// Rolls back what a killed writer in rollback-journal mode left (a bulk import switches the
    /// file to it: `BulkImportJournal`), as SQLite does on the first read of a connection that
    /// may write; the read-only look of `checkBeforeFirstWrite` could not, and would fail.
    static func rollBackHotJournal(path: String, busyTimeout: TimeInterval) throws {
        guard fileSize(path + "-journal") > 0 else { return }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        try DatabaseQueue(path: path, configuration: config).read { db in
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
        }
    }

    /// Refuses, without writing a byte, a file whose schema or a table's first page cannot be
    /// read, or one a newer support migrated. Runs before a file is switched to WAL mode (see
    /// `open`). Not `PRAGMA quick_check`: that reads every page (230 ms at 100,000 tickets,
    /// seconds at a million). Damage deeper in the file is met, and refused, when its pages are read.
    static func checkBeforeFirstWrite(path: String, busyTimeout: TimeInterval) throws {
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
            if try migrationState(db, known: Schema.migrator.migrations).superseded { throw SupportError.storage(Wording(newerVersionMessage)) }
        }
    }
}

/// An exclusive advisory lock on a file, held until `unlock` (or process exit).
struct FileLock {
    let fd: Int32

    init(path: String) throws {
        guard let lock = try Self.lock(path, waiting: true) else { throw SupportError.internalError("flock returned without the lock") }
        self = lock
    }

    private init(fd: Int32) { self.fd = fd }

    /// The lock if it is free now; nil if another holds it (or the file cannot be opened).
    static func ifFree(path: String) -> FileLock? {
        try? lock(path, waiting: false)
    }

    /// Opens (creating) the lock file and locks it: `waiting` until it is free, or nil at once
    /// when another holds it.
    private static func lock(_ path: String, waiting: Bool) throws -> FileLock? {
        // Never through a link: a planted `support.db.lock` → elsewhere would create its target.
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == ELOOP {
                throw SupportError.storage("\(path) is a symbolic link; refusing to follow it (remove it: support creates this file itself)")
            }
            throw SupportError.storage(
                "cannot create the lock file \(path) (\(String(cString: strerror(errno)))): the database's directory must be writable")
        }
        while flock(fd, waiting ? LOCK_EX : LOCK_EX | LOCK_NB) != 0 {
            guard errno == EINTR else {
                let failure = errno
                Glibc.close(fd)
                if failure == EWOULDBLOCK { return nil }
                throw SupportError.storage("cannot lock \(path): \(String(cString: strerror(failure)))")
            }
        }
        return FileLock(fd: fd)
    }

    func unlock() {
        flock(fd, LOCK_UN)
        Glibc.close(fd)
    }
}
