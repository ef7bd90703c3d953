/// What a config file says (`--config FILE`, `SUPPORT_CONFIG`, `~/.config/support/config`,
/// `/etc/support/config`): which desk, and for a PostgreSQL desk how to reach it, password
/// included, so that cron, an MTA's pipe and a systemd unit on several hosts name the desk once,
/// in a file only its owner can read, instead of in every command line and environment.
///
///     # /etc/support/config (mode 0600)
///     [postgres]
///     host = db.internal            # or a Unix socket directory: /run/postgresql
///     port = 5432
///     user = support
///     dbname = support
///     password = "s3cret # with spaces"
///     sslmode = require
///     connect_timeout = 10
///
/// or `[sqlite]` with `path = /srv/support/support.db`. The keys are libpq's (as in
/// `pg_service.conf`). Read by `DeskConfigFile`, which checks the file's owner and mode first.
///
/// The parser is written here, not a TOML library: none is linked into `support`, every library
/// linked costs every command its start-up (SWIFT-FACTS.md, issue 14), and the grammar needed is
/// two sections, eight keys and three kinds of value. README's example file (372 bytes) parses in
/// 77 µs in a debug build (20,000 parses under `swift test`; a release build was not measured);
/// a TOML package (TOMLKit, swift-toml) would add a dependency to every command for it.
public struct DeskConfig: Sendable, Equatable {
    public enum Desk: Sendable, Equatable {
        /// `[sqlite] path = /srv/support/support.db`.
        case sqlite(path: String)
        /// `[postgres]`: what the file gives; the rest as libpq fills it in (PostgresLocation).
        case postgres(PostgresSettings)
    }

    /// The file read, as it was named (messages, and the hand-over to `support-server`).
    public var file: String
    /// Nil when the file names no desk (comments only): the default SQLite file then.
    public var desk: Desk?

    /// The longest file read: a config file is a few lines; anything bigger is a mistake.
    public static let maximumBytes = 64 * 1024

    static let keys: [String: [String]] = [
        "postgres": ["host", "port", "user", "dbname", "password", "sslmode", "connect_timeout"],
        "sqlite": ["path"],
    ]

    /// Parses `bytes`, read from `file`. Every refusal is exit 78 and names the file and the
    /// line; no message quotes a value of `password`, nor any line that is not a key and a value.
    public static func parse(_ bytes: [UInt8], file: String) throws(SupportError) -> DeskConfig {
        var parser = Parser(file: file)
        var number = 0
        // A UTF-8 byte-order mark, as some Windows editors write one, is not part of line 1.
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < bytes.count {
            number += 1
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var line = bytes[start..<end]
            // A file written on Windows: CRLF ends a line as LF does.
            if line.last == 0x0D { line = line.dropLast() }
            try parser.take(line, number: number)
            start = end + 1
        }
        return try parser.finish()
    }

    struct Parser {
        let file: String
        var section: String?
        var sections: [String: Int] = [:]
        var values: [String: [String: (value: String, line: Int)]] = [:]

        init(file: String) { self.file = file }

        func failure(_ number: Int, _ text: String) -> SupportError {
            .configuration("config file \(Validation.printable(file, limit: 300)), line \(number): \(text)")
        }

        mutating func take(_ raw: ArraySlice<UInt8>, number: Int) throws(SupportError) {
            if raw.contains(0) { throw failure(number, "contains a NUL byte") }
            guard let text = String(validating: raw, as: UTF8.self) else { throw failure(number, "is not valid UTF-8") }
            if text.unicodeScalars.contains(where: { $0 != "\t" && Validation.isForbiddenInLine($0) }) {
                throw failure(number, "contains a control character (a line ends with LF or CRLF)")
            }
            let line = Substring(text).trimmingBlanks()
            if line.isEmpty || line.hasPrefix("#") { return }
            if line.hasPrefix("[") { return try header(line, number: number) }
            guard let equals = line.firstIndex(of: "=") else {
                throw failure(number, "is not 'key = value', a [section] or a # comment")
            }
            let key = String(line[..<equals].trimmingBlanks())
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" }) else {
                // Not echoed: the text before '=' may be a password typed on the wrong line.
                throw failure(number, "the text before '=' is not a key name (lower-case letters and '_')")
            }
            guard let section else {
                throw failure(number, "'\(key)' is outside a section: put it under [postgres] or [sqlite]")
            }
            guard let known = DeskConfig.keys[section], known.contains(key) else {
                let known = DeskConfig.keys[section, default: []].joined(separator: ", ")
                throw failure(number, "[\(section)] has no key '\(key)' (it has \(known))")
            }
            if let first = values[section]?[key] {
                throw failure(number, "'\(key)' is given twice in [\(section)] (first on line \(first.line))")
            }
            let value = try self.value(line[line.index(after: equals)...].trimmingBlanks(), key: key, number: number)
            values[section, default: [:]][key] = (value, number)
        }

        mutating func header(_ line: Substring, number: Int) throws(SupportError) {
            guard let close = line.firstIndex(of: "]") else { throw failure(number, "the [section] is not closed with ']'") }
            let rest = line[line.index(after: close)...].trimmingBlanks()
            guard rest.isEmpty || rest.hasPrefix("#") else { throw failure(number, "text after the [section]") }
            let name = String(line[line.index(after: line.startIndex)..<close].trimmingBlanks())
            guard DeskConfig.keys[name] != nil else {
                // Named only when it looks like a section's name: anything else may be a password.
                let looksLikeAName = name.count <= 40 && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }
                throw failure(number, "unknown section\(looksLikeAName ? " [\(name)]" : "") (there are [postgres] and [sqlite])")
            }
            if let first = sections[name] { throw failure(number, "[\(name)] is given twice (first on line \(first))") }
            sections[name] = number
            section = name
        }

        /// A value: bare (one word, no spaces, quotes or '#'), "double-quoted" (`\"` and `\\` are
        /// its escapes) or 'single-quoted' (taken as written), then perhaps a `# comment`.
        func value(_ text: Substring, key: String, number: Int) throws(SupportError) -> String {
            var value = ""
            var rest: Substring
            if let quote = text.first, quote == "\"" || quote == "'" {
                var index = text.index(after: text.startIndex)
                var closed = false
                while index < text.endIndex {
                    let character = text[index]
                    index = text.index(after: index)
                    if character == quote { closed = true; break }
                    if quote == "\"" && character == "\\" {
                        guard index < text.endIndex, text[index] == "\"" || text[index] == "\\" else {
                            throw failure(number, "in a \"quoted\" value only \\\" and \\\\ are escapes (a 'single-quoted' value takes '\\' as written)")
                        }
                        value.append(text[index])
                        index = text.index(after: index)
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { throw failure(number, "the quoted value of '\(key)' is not closed") }
                rest = text[index...].trimmingBlanks()
            } else if text.isEmpty || text.hasPrefix("#") {
                rest = ""
            } else {
                let end = text.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? text.endIndex
                value = String(text[..<end])
                rest = text[end...].trimmingBlanks()
                // `password = abc #def` could mean either: refused rather than guessed.
                guard !value.contains(where: { $0 == "#" || $0 == "\"" || $0 == "'" }), rest.isEmpty || rest.hasPrefix("#") else {
                    throw failure(number, "a value with spaces, '#' or quotes must be quoted: \(key) = \"…\" or '…'")
                }
            }
            guard rest.isEmpty || rest.hasPrefix("#") else {
                throw failure(number, "text after the quoted value of '\(key)' (a comment starts with '#')")
            }
            guard !value.isEmpty else { throw failure(number, "'\(key)' has no value (leave the line out for the default)") }
            return value
        }

        func finish() throws(SupportError) -> DeskConfig {
            if let postgres = sections["postgres"], let sqlite = sections["sqlite"] {
                throw failure(max(postgres, sqlite), "a config file names one desk: [postgres] (line \(postgres)) or [sqlite] (line \(sqlite)), not both")
            }
            if let line = sections["sqlite"] {
                guard let path = values["sqlite"]?["path"] else { throw failure(line, "[sqlite] needs 'path = /where/support.db'") }
                guard path.value.hasPrefix("/") else {
                    throw failure(path.line, "path must be absolute (it is read from cron, a mail pipe or a service, each in its own directory)")
                }
                return DeskConfig(file: file, desk: .sqlite(path: path.value))
            }
            guard sections["postgres"] != nil else { return DeskConfig(file: file, desk: nil) }
            let given = values["postgres"] ?? [:]
            var settings = PostgresSettings()
            if let host = given["host"] {
                guard !host.value.contains(",") else { throw failure(host.line, "several hosts are not supported; name one") }
                settings.host = host.value
            }
            if let port = given["port"] {
                guard port.value.allSatisfy(\.isASCII), let number = Int(port.value), (1...65535).contains(number) else {
                    throw failure(port.line, "port must be a number from 1 to 65535, not '\(Validation.printable(port.value, limit: 40))'")
                }
                settings.port = number
            }
            settings.user = given["user"]?.value
            settings.database = given["dbname"]?.value
            settings.password = given["password"]?.value
            if let mode = given["sslmode"] {
                guard let tls = PostgresLocation.TLS(rawValue: mode.value) else {
                    throw failure(mode.line, "sslmode must be disable, prefer or require, not '\(Validation.printable(mode.value, limit: 40))'")
                }
                settings.tls = tls
            }
            if let timeout = given["connect_timeout"] {
                guard timeout.value.allSatisfy(\.isASCII), let seconds = Int(timeout.value), (0...3600).contains(seconds) else {
                    throw failure(timeout.line, "connect_timeout must be a number of seconds from 0 to 3600")
                }
                settings.connectTimeout = seconds
            }
            settings.source = file
            return DeskConfig(file: file, desk: .postgres(settings))
        }
    }
}

extension Substring {
    /// Without the spaces and tabs at either end (a config line's blanks; nothing else is blank there).
    func trimmingBlanks() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
