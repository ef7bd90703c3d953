import Foundation
import SupportCore

/// Which desk a command runs on, and what named it. In order: `--db`; `--config FILE`; then
/// `SUPPORT_DB`; then the config file (`SUPPORT_CONFIG`, else `$XDG_CONFIG_HOME/support/config`
/// or `~/.config/support/config`, else `/etc/support/config`); then the default SQLite file.
/// The command line beats the environment, which beats files: a `--db` or `SUPPORT_DB` given for
/// one command wins over the file an admin left for every command. (README, "A desk on PostgreSQL")
enum DeskChoice {
    case sqlite(path: String, isDefault: Bool)
    /// A `postgresql://` `--db` or `SUPPORT_DB`: its password from PGPASSWORD or ~/.pgpass.
    case postgresAddress(String)
    /// A config file's `[postgres]` section, which may carry the password.
    case postgresConfig(PostgresSettings, file: String)

    /// `db`, `config`: the command line's `--db` and `--config` (both at once is refused by
    /// `GlobalOptions.validate`). Throws when the config file it comes to is refused (78).
    static func resolve(db: String?, config: String?, environment: (String) -> String?) throws(SupportError) -> DeskChoice {
        if let db { return named(db) }
        if config == nil, let db = environment("SUPPORT_DB"), !db.isEmpty { return named(db) }
        if let file = DeskConfigFile.locate(explicit: config, environment: environment) {
            let found = try DeskConfigFile.load(file)
            switch found.desk {
            case .postgres(let settings): return .postgresConfig(settings, file: file)
            case .sqlite(let path): return .sqlite(path: path, isDefault: false)
            case nil:
                // A file named for the purpose (a pinned wrapper's SUPPORT_CONFIG) that names no
                // desk must not quietly mean the default one.
                let named = config != nil || !(environment("SUPPORT_CONFIG") ?? "").isEmpty
                if named { throw .configuration("config file \(Validation.printable(file, limit: 300)) names no desk: add a [postgres] or [sqlite] section") }
            }
        }
        let base: String
        if let xdg = environment("XDG_DATA_HOME"), xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment("HOME") ?? NSHomeDirectory()) + "/.local/share"
        }
        return .sqlite(path: base + "/support/support.db", isDefault: true)
    }

    static func named(_ db: String) -> DeskChoice {
        PostgresLocation.isPostgres(db) ? .postgresAddress(db) : .sqlite(path: db, isDefault: false)
    }

    var isPostgres: Bool {
        if case .sqlite = self { return false }
        return true
    }

    /// What `support-server` is given to open the same desk: the file or address, or the config
    /// file, which it reads with the same checks. Never the password (a command line is public).
    var serverArguments: [String] {
        switch self {
        case .sqlite(let path, _): ["--db", path]
        case .postgresAddress(let address): ["--db", address]
        case .postgresConfig(_, let file): ["--config", file]
        }
    }
}
