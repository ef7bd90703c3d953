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

    /// Reads and parses the file at `path` (PrivateFile: one descriptor, checked with `fstat`).
    /// Refused, exit 78: a missing file; a symbolic link owned by someone other than you or root;
    /// anything but a regular file; a file owned by someone other than you or root; one whose
    /// mode gives the group or others any permission; one over `DeskConfig.maximumBytes`.
    public static func load(_ path: String) throws(SupportError) -> DeskConfig {
        guard !path.isEmpty else { throw .configuration("the config file's name is empty") }
        guard let bytes = try PrivateFile.read(path, what: "config file", ownedByYouOrRoot: true, limit: DeskConfig.maximumBytes) else {
            throw .configuration("config file \(Validation.printable(path, limit: 300)) does not exist")
        }
        return try DeskConfig.parse(bytes, file: path)
    }
}
