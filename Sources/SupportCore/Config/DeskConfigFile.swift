import Foundation

/// Where the config file is, and reading it safely. A config file may hold the database's
/// password, so it is read only when nobody but its owner can read or change it: the rule of
/// `~/.pgpass` (PostgresLocation.findPassword) made stricter, as ssh's StrictModes are.
public enum DeskConfigFile {
    /// The config file to read: `explicit` (`--config FILE`), else `SUPPORT_CONFIG`, else the
    /// first that exists of `$XDG_CONFIG_HOME/support/config` (`~/.config/support/config`) and
    /// `/etc/support/config`; nil when none does. A file named explicitly is returned whether or
    /// not it exists (`load` says so).
    public static func locate(explicit: String?, environment: (String) -> String?) -> String? {
        if let explicit { return explicit }
        if let named = environment("SUPPORT_CONFIG"), !named.isEmpty { return named }
        let base: String?
        if let xdg = environment("XDG_CONFIG_HOME"), xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = environment("HOME").flatMap { $0.hasPrefix("/") ? $0 + "/.config" : nil }
        }
        for candidate in [base.map { $0 + "/support/config" }, "/etc/support/config"].compactMap({ $0 }) {
            var info = stat()
            if lstat(candidate, &info) == 0 { return candidate }
        }
        return nil
    }

    /// Reads and parses the file at `path` through one descriptor, checked with `fstat` (no
    /// window between the check and the read). Refused, exit 78: a missing file; a symbolic link
    /// owned by someone other than you or root; anything but a regular file; a file owned by
    /// someone other than you or root; one whose mode gives the group or others any permission;
    /// one over `DeskConfig.maximumBytes`.
    public static func load(_ path: String) throws(SupportError) -> DeskConfig {
        let shown = Validation.printable(path, limit: 300)
        guard !path.isEmpty else { throw .configuration("the config file's name is empty") }
        var link = stat()
        guard lstat(path, &link) == 0 else {
            if errno == ENOENT { throw .configuration("config file \(shown) does not exist") }
            throw failure("cannot examine the config file \(shown)", errno)
        }
        // A link the user (or root) made is theirs to name; one owned by anyone else was planted.
        if link.st_mode & S_IFMT == S_IFLNK, link.st_uid != geteuid(), link.st_uid != 0 {
            throw .configuration("config file \(shown) is a symbolic link owned by \(userName(link.st_uid)), not by you or root; refusing to follow it")
        }
        // O_NONBLOCK: a FIFO planted at the name must not hang the command (fstat refuses it next).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw failure("cannot open the config file \(shown)", errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot examine the config file \(shown)", errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .configuration("config file \(shown) is not a regular file") }
        guard info.st_uid == geteuid() || info.st_uid == 0 else {
            throw .configuration("config file \(shown) is owned by \(userName(info.st_uid)), not by you or root; it may name the desk's password, so only its owner's file is read")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw .configuration("""
                config file \(shown) may be read or changed by others (mode \(String(format: "%04o", info.st_mode & 0o7777))): \
                it may hold the desk's password; chmod 600 \(shown)
                """)
        }
        guard info.st_size <= DeskConfig.maximumBytes else {
            throw .configuration("config file \(shown) is over \(DeskConfig.maximumBytes / 1024) KiB; a config file is a few lines")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read the config file \(shown)", errno)
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            // The file may grow after fstat: what is read is what is limited.
            guard bytes.count <= DeskConfig.maximumBytes else {
                throw .configuration("config file \(shown) is over \(DeskConfig.maximumBytes / 1024) KiB; a config file is a few lines")
            }
        }
        return try DeskConfig.parse(bytes, file: path)
    }

    static func userName(_ uid: uid_t) -> String {
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            return "\(String(cString: name)) (uid \(uid))"
        }
        return "uid \(uid)"
    }

    private static func failure(_ what: String, _ code: Int32) -> SupportError {
        .configuration("\(what): \(String(cString: strerror(code)))")
    }
}
