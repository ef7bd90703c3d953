import Foundation

/// A file that may hold a password (the config file, `~/.pgpass`), read through one descriptor
/// whose `fstat` is what is checked: nothing can be swapped in between the check and the read.
enum PrivateFile {
    /// The bytes of `path`, or nil when there is no such file. Refused (exit 78): anything but a
    /// regular file (a FIFO does not hang the open); a mode that gives the group or others any
    /// permission; with `ownedByYouOrRoot`, a file of another owner or a symbolic link another
    /// user planted; more than `limit` bytes. `what` names the file in messages ("config file").
    static func read(_ path: String, what: String, ownedByYouOrRoot: Bool, limit: Int) throws(SupportError) -> [UInt8]? {
        let shown = Validation.printable(path, limit: 300)
        if ownedByYouOrRoot {
            var link = stat()
            guard lstat(path, &link) == 0 else {
                if errno == ENOENT || errno == ENOTDIR { return nil }
                throw failure("cannot examine the \(what) \(shown)", errno)
            }
            // A link the user (or root) made is theirs to name; one owned by anyone else was planted.
            if link.st_mode & S_IFMT == S_IFLNK, link.st_uid != geteuid(), link.st_uid != 0 {
                throw .configuration("\(what) \(shown) is a symbolic link owned by \(DatabaseFiles.userName(link.st_uid)), not by you or root; refusing to follow it")
            }
        }
        // O_NONBLOCK: a FIFO planted at the name must not hang the command (fstat refuses it next).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("cannot open the \(what) \(shown)", errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot examine the \(what) \(shown)", errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .configuration("\(what) \(shown) is not a regular file") }
        if ownedByYouOrRoot, info.st_uid != geteuid(), info.st_uid != 0 {
            throw .configuration("\(what) \(shown) is owned by \(DatabaseFiles.userName(info.st_uid)), not by you or root; it may hold a password, so only your own is read")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw .configuration("""
                \(what) \(shown) may be read or changed by others (mode \(String(format: "%04o", info.st_mode & 0o7777))): \
                it may hold a password; chmod 600 \(shown)
                """)
        }
        let tooBig = SupportError.configuration("\(what) \(shown) is over \(limit / 1024) KiB")
        guard info.st_size <= limit else { throw tooBig }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read the \(what) \(shown)", errno)
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
            // The file may grow after fstat: what is read is what is limited.
            guard bytes.count <= limit else { throw tooBig }
        }
    }

    private static func failure(_ what: String, _ code: Int32) -> SupportError {
        .configuration("\(what): \(String(cString: strerror(code)))")
    }
}
