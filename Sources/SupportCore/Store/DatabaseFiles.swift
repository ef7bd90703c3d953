import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files of one database (the file, `-wal`, `-shm`, `.lock`) made safe before SQLite sees
/// them: never created or opened through a symbolic link that someone else planted, and 0600.
///
/// SQLite alone is not enough. It resolves a symlink at the database path (and creates the
/// missing target of a dangling one with mode 0644), and creates `-wal` and `-shm` with the mode
/// of the database file, so a pre-existing 0644 file gets 0644 side files. In a directory others
/// can write to (a sticky /tmp), a file or link planted there before the first run would let
/// its owner read every ticket. (issue 13.9)
enum DatabaseFiles {
    /// The side files SQLite and `FileLock` create beside the database.
    static let sideSuffixes = ["-wal", "-shm", ".lock"]

    /// Checks and prepares the database at `path`; returns the path to open: `path` itself, or
    /// the file a symlink that the invoking user (or root) owns points to.
    static func prepare(_ path: String) throws(SupportError) -> String {
        let target = try databaseFile(path, followed: 0)
        guard let (owner, mode) = try prepareFile(target) else { return target }
        // SQLite gives an empty side file the database's mode whenever it opens one (robust_open),
        // so side files are private exactly when the file is: a file its owner shares for writing
        // (0660 for a group) keeps that choice for its side files, or the group could not open it.
        let sideMode: mode_t = mode & 0o022 != 0 ? mode & 0o666 : 0o600
        for suffix in sideSuffixes {
            try prepareSideFile(target + suffix, databaseOwner: owner, mode: sideMode)
        }
        // SQLite creates -journal only during a bulk import (rollback mode), with O_NOFOLLOW and
        // the database's mode (0600 by now); a planted one is refused here rather than left to
        // fail the import half way.
        var info = stat()
        if lstat(target + "-journal", &info) == 0 {
            try requireOwnRegularFile(target + "-journal", info, databaseOwner: owner)
        }
        return target
    }

    /// The regular file behind `path`, creating it (0600, never through a link) when missing.
    private static func databaseFile(_ path: String, followed: Int) throws(SupportError) -> String {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw failure("cannot examine the database \(path)", errno) }
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 {
                fchmod(fd, 0o600)
                close(fd)
                return path
            }
            // Made by another process in between (two first runs at once): look again.
            guard errno == EEXIST, followed < 8 else { throw failure("cannot create the database \(path)", errno) }
            return try databaseFile(path, followed: followed + 1)
        }
        guard info.st_mode & S_IFMT == S_IFLNK else { return path }
        // A link the user (or root) made is theirs to name; one owned by anyone else was planted.
        guard info.st_uid == geteuid() || info.st_uid == 0 else {
            throw .storage("\(path) is a symbolic link owned by \(userName(info.st_uid)), not by you; refusing to follow it (remove it, or name the database file itself)")
        }
        guard let resolved = realpath(path, nil) else {
            throw .storage("\(path) is a symbolic link to a missing file; refusing to create the database through it (name the target path itself with \(field: "db"))")
        }
        defer { free(resolved) }
        guard followed < 8 else { throw .storage("\(path): too many symbolic links") }
        return try databaseFile(String(cString: resolved), followed: followed + 1)
    }

    /// An existing database file: a new (empty) one is made 0600 and must be the user's own.
    /// One with content that others may read but not write (0644, 0640) is made 0600: every
    /// ticket in it was readable by anyone on the machine. One that others may write keeps its
    /// owner's choice: made private now, it would look trusted to StrictModes (`DatabaseTrust`)
    /// although someone else may already have chosen its `sendmail_command`. Returns the file's
    /// owner and mode, or nil when it is not a file support can use (left to SQLite to refuse,
    /// with no side file made).
    private static func prepareFile(_ path: String) throws(SupportError) -> (uid_t, mode_t)? {
        // Unreadable: SQLite's own refusal says it as well as we could.
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot examine the database \(path)", errno) }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG || type == S_IFDIR else {
            throw .storage("\(path) is not a regular file; name a database file with \(field: "db")")
        }
        if type == S_IFREG, info.st_size == 0, info.st_mode & 0o7077 != 0 {
            // An empty file is a database about to be created: someone else's (planted in a
            // shared directory) is refused, the user's own is made private before a byte is written.
            guard info.st_uid == geteuid() || geteuid() == 0 else {
                throw .configuration("\(path) is an empty file owned by \(userName(info.st_uid)), not by you; refusing to create the database in it")
            }
            guard fchmod(fd, 0o600) == 0 else { throw failure("cannot make \(path) private (0600)", errno) }
            return (info.st_uid, 0o600)
        }
        guard type == S_IFREG else { return nil }
        if info.st_mode & 0o077 != 0, info.st_mode & 0o022 == 0, info.st_uid == geteuid() || geteuid() == 0 {
            guard fchmod(fd, 0o600) == 0 else { throw failure("cannot make \(path) private (0600)", errno) }
            return (info.st_uid, 0o600)
        }
        return (info.st_uid, info.st_mode & 0o7777)
    }

    /// `-wal`, `-shm` or `.lock`: created 0600 without following a link, or an existing regular
    /// file of the user's (or the database owner's) own, made 0600. Root gives a file it creates
    /// to the database's owner, as SQLite does, so that the owner can still open their database.
    private static func prepareSideFile(_ path: String, databaseOwner: uid_t, mode: mode_t) throws(SupportError) {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode)
        guard fd >= 0 else {
            let error = errno
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK || error == ELOOP {
                throw .storage("\(path) is a symbolic link; refusing to follow it (remove it: support creates this file itself)")
            }
            // Not writable (a read-only directory, someone else's file): SQLite reports what it
            // can and cannot do with the database itself.
            return
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot examine \(path)", errno) }
        try requireOwnRegularFile(path, info, databaseOwner: databaseOwner)
        if geteuid() == 0, info.st_uid != databaseOwner {
            _ = fchown(fd, databaseOwner, gid_t(bitPattern: -1))
        }
        // Another owner's file (root's, beside a database another user may write) is theirs to set.
        if info.st_mode & 0o7777 != mode, info.st_uid == geteuid() || geteuid() == 0, fchmod(fd, mode) != 0 {
            throw failure("cannot give \(path) the mode \(String(mode, radix: 8))", errno)
        }
    }

    private static func requireOwnRegularFile(_ path: String, _ info: stat, databaseOwner: uid_t) throws(SupportError) {
        switch info.st_mode & S_IFMT {
        case S_IFLNK:
            throw .storage("\(path) is a symbolic link; refusing to follow it (remove it: support creates this file itself)")
        case S_IFREG:
            break
        default:
            throw .storage("\(path) is not a regular file; remove it (support creates this file itself)")
        }
        guard info.st_uid == geteuid() || info.st_uid == databaseOwner || info.st_uid == 0 else {
            // A trust problem, as StrictModes' (78): someone else could have written the desk's data.
            throw .configuration("\(path) is owned by \(userName(info.st_uid)), not by you or the database's owner; refusing to use it (remove it)")
        }
    }

    static func userName(_ uid: uid_t) -> String {
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            return "\(String(cString: name)) (uid \(uid))"
        }
        return "uid \(uid)"
    }

    private static func failure(_ what: String, _ code: Int32) -> SupportError {
        .storage("\(what): \(String(cString: strerror(code)))")
    }
}
