import Foundation
import Testing

/// The config file (issue 17): `--config FILE`, `SUPPORT_CONFIG`, `~/.config/support/config` or
/// `/etc/support/config` names the desk (`[postgres]` with its password, or `[sqlite] path`),
/// read only when nobody but its owner can read or change it; `--db` and `SUPPORT_DB` win over it.
/// The real binaries; a real PostgreSQL 15 (PostgresTestDatabase) for the PostgreSQL parts, which
/// skip with the reason printed when there is none.
@Suite("Config file: naming the desk")
struct ConfigFileTests {
    static let needsPostgres = "needs PostgreSQL 15 (SUPPORT_TEST_POSTGRES or /usr/lib/postgresql/15)"

    /// No SUPPORT_DB: the desk comes from the config file.
    static let noDeskVariable: [String: String?] = ["SUPPORT_DB": nil, "PGPASSWORD": nil]

    /// Writes `text` to `name` in the sandbox with `mode` (the mode set after writing, whatever the umask).
    @discardableResult
    func write(_ text: String, to name: String = "config", mode: mode_t = 0o600, in sandbox: Sandbox) throws -> String {
        let path = sandbox.directory.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try #require(chmod(path, mode) == 0)
        return path
    }

    func run(_ sandbox: Sandbox, _ arguments: [String], environment: [String: String?] = [:], binary: URL? = nil) throws -> CLIResult {
        var merged = Self.noDeskVariable
        for (key, value) in environment { merged[key] = value }
        let result = try sandbox.launch(arguments, environment: merged, executable: binary).wait()
        #expect(!result.signaled, "crashed: \(arguments)\n\(result)")
        return result
    }

    /// The `[postgres]` section of `database`, over TCP, with `password` (nil: none in the file).
    static func postgresSection(_ database: PostgresTestDatabase, password: String?) -> String {
        """
        # the team's desk
        [postgres]
        host = \(database.server.host)    # TCP
        port = \(database.server.port)
        user = support_test
        dbname = \(database.name)
        sslmode = disable
        connect_timeout = 5

        """ + (password.map { "password = '\($0)'\n" } ?? "")
    }

    // MARK: - SQLite desks and the file's checks (no server needed)

    @Test func anSQLiteSectionNamesTheDeskFromEveryPlaceAFileIsLookedFor() throws {
        // Given a config file naming an SQLite desk by its path
        let sandbox = try Sandbox()
        let desk = sandbox.directory.appendingPathComponent("configured.db").path
        let text = "[sqlite]\npath = \(desk)\n"
        let explicit = try write(text, to: "elsewhere/desk.conf", in: sandbox)
        let home = sandbox.directory.appendingPathComponent("home").path
        try write(text, to: "home/.config/support/config", in: sandbox)
        try write(text, to: "xdg-config/support/config", in: sandbox)
        // When a user is added through each way of finding the file
        let ways: [(String, [String], [String: String?])] = [
            ("--config", ["--config", explicit], [:]),
            ("--config=", ["--config=\(explicit)"], [:]),
            ("SUPPORT_CONFIG", [], ["SUPPORT_CONFIG": explicit]),
            ("~/.config", [], ["HOME": home]),
            ("XDG_CONFIG_HOME", [], ["XDG_CONFIG_HOME": sandbox.directory.appendingPathComponent("xdg-config").path, "HOME": "/nonexistent"]),
        ]
        for (index, (how, options, environment)) in ways.enumerated() {
            let result = try run(sandbox, options + ["user", "add", "u\(index)@example.com"], environment: environment)
            #expect(result.status == 0, "\(how): \(result)")
        }
        // Then every one went into the configured file, and no default desk was made
        let listed = try run(sandbox, ["--db", desk, "user", "list", "--json"])
        for index in ways.indices { #expect(listed.out.contains("u\(index)@example.com"), "\(listed)") }
        #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("xdg/support/support.db").path))
    }

    @Test func theCommandLineAndSUPPORT_DBWinOverTheFile() throws {
        // Given a config file naming one SQLite desk, and two other desks
        let sandbox = try Sandbox()
        let configured = sandbox.directory.appendingPathComponent("configured.db").path
        let other = sandbox.directory.appendingPathComponent("other.db").path
        let fromEnvironment = sandbox.directory.appendingPathComponent("environment.db").path
        let file = try write("[sqlite]\npath = \(configured)\n", in: sandbox)
        for (desk, name) in [(configured, "Configured"), (other, "Other"), (fromEnvironment, "Environment")] {
            #expect(try run(sandbox, ["--db", desk, "settings", "set", "support_name", name]).status == 0)
        }
        func name(_ options: [String], _ environment: [String: String?]) throws -> String {
            let result = try run(sandbox, options + ["settings", "get", "support_name"], environment: environment)
            #expect(result.status == 0, "\(options) \(environment): \(result)")
            return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Then --db wins over SUPPORT_CONFIG's file, and SUPPORT_DB wins over it too
        #expect(try name(["--db", other], ["SUPPORT_CONFIG": file]) == "Other")
        #expect(try name([], ["SUPPORT_CONFIG": file, "SUPPORT_DB": fromEnvironment]) == "Environment")
        #expect(try name([], ["SUPPORT_CONFIG": file]) == "Configured")
        // And the file named on the command line wins over SUPPORT_DB (the command line beats the environment)
        #expect(try name(["--config", file], ["SUPPORT_DB": fromEnvironment]) == "Configured")
        // And --db with --config is a usage error: one names the desk
        let both = try run(sandbox, ["--db", other, "--config", file, "settings", "get"])
        #expect(both.status == 64 && both.err.contains("--db and --config"), "\(both)")
        // And --config given twice is refused as every repeated global option is (a wrapper's pin)
        let twice = try run(sandbox, ["--config", file, "settings", "get", "--config=\(file)"])
        #expect(twice.status == 64 && twice.err.contains("--config is given more than once"), "\(twice)")
        // And a config file found by default does not count where SUPPORT_DB is set
        try write("[postgres]\nhost = \n", to: "home/.config/support/config", in: sandbox)
        #expect(try name([], ["SUPPORT_DB": other]) == "Other")
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606, 0o620, 0o601] as [mode_t])
    func aFileOthersMayReadOrChangeIsRefused(mode: mode_t) throws {
        // Given a config file with a password and a mode that lets the group or others in
        let sandbox = try Sandbox()
        let secret = "pw-\(UUID().uuidString)"
        let file = try write("[postgres]\nhost = 127.0.0.1\nport = 1\npassword = \(secret)\n", mode: mode, in: sandbox)
        // When a command reads it, plainly and with --json
        let plain = try run(sandbox, ["--config", file, "ticket", "list"])
        let json = try run(sandbox, ["ticket", "list", "--json"], environment: ["SUPPORT_CONFIG": file])
        // Then exit 78 names the file and its mode and says what to do, and the password is nowhere
        let shown = String(format: "%04o", mode)
        #expect(plain.status == 78, "\(plain)")
        #expect(plain.err.contains(file) && plain.err.contains("mode \(shown)") && plain.err.contains("chmod 600"), "\(plain)")
        #expect(json.status == 78, "\(json)")
        #expect(try json.apiError()["code"] as? String == "CONFIGURATION_ERROR")
        for result in [plain, json] {
            #expect(!result.err.contains(secret) && !result.out.contains(secret))
        }
    }

    @Test func aMissingFileALinkOthersPlantedAndAFIFOAreRefused() throws {
        let sandbox = try Sandbox()
        // A file named explicitly that is not there
        let missing = try run(sandbox, ["--config", sandbox.directory.appendingPathComponent("nope").path, "ticket", "list"])
        #expect(missing.status == 78 && missing.err.contains("does not exist"), "\(missing)")
        // A directory
        let directory = try run(sandbox, ["--config", sandbox.directory.path, "ticket", "list"])
        #expect(directory.status == 78 && directory.err.contains("not a regular file"), "\(directory)")
        // A FIFO (opening it must not hang the command)
        let fifo = sandbox.directory.appendingPathComponent("fifo").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let fromFIFO = try run(sandbox, ["--config", fifo, "ticket", "list"])
        #expect(fromFIFO.status == 78 && fromFIFO.err.contains("not a regular file"), "\(fromFIFO)")
        // A link of your own to your own file is followed
        let desk = sandbox.directory.appendingPathComponent("linked.db").path
        let target = try write("[sqlite]\npath = \(desk)\n", to: "real.conf", in: sandbox)
        let link = sandbox.directory.appendingPathComponent("link.conf").path
        try #require(symlink(target, link) == 0)
        let linked = try run(sandbox, ["--config", link, "user", "add", "l@example.com"])
        #expect(linked.status == 0, "\(linked)")
        #expect(FileManager.default.fileExists(atPath: desk))
        // A file named for the purpose that names no desk (a default one may: comments only)
        let empty = try write("# nothing yet\n", to: "empty.conf", in: sandbox)
        let fromEmpty = try run(sandbox, ["ticket", "list"], environment: ["SUPPORT_CONFIG": empty])
        #expect(fromEmpty.status == 78 && fromEmpty.err.contains("names no desk"), "\(fromEmpty)")
        try write("# nothing yet\n", to: "home/.config/support/config", in: sandbox)
        let byDefault = try run(sandbox, ["ticket", "list"])
        #expect(byDefault.status == 0, "\(byDefault)")
        // A huge file
        let huge = try write("# " + String(repeating: "x", count: 70_000) + "\n", to: "huge.conf", in: sandbox)
        let fromHuge = try run(sandbox, ["--config", huge, "ticket", "list"])
        #expect(fromHuge.status == 78 && fromHuge.err.contains("over 64 KiB"), "\(fromHuge)")
    }

    @Test(.enabled(if: geteuid() == 0, "needs root, to give a file and a link to another user (nobody)"))
    func aFileOrALinkOwnedByAnotherUserIsRefused() throws {
        // Given a 0600 config file owned by nobody, and a link owned by nobody to a file of ours
        let sandbox = try Sandbox()
        let secret = "pw-\(UUID().uuidString)"
        let theirs = try write("[postgres]\npassword = \(secret)\n", to: "theirs.conf", in: sandbox)
        let nobody = try #require(getpwnam("nobody")).pointee
        try #require(chown(theirs, nobody.pw_uid, nobody.pw_gid) == 0)
        let ours = try write("[sqlite]\npath = /tmp/x.db\n", to: "ours.conf", in: sandbox)
        let link = sandbox.directory.appendingPathComponent("planted.conf").path
        try #require(symlink(ours, link) == 0)
        try #require(lchown(link, nobody.pw_uid, nobody.pw_gid) == 0)
        // When commands read them
        let owned = try run(sandbox, ["--config", theirs, "ticket", "list"])
        let planted = try run(sandbox, ["--config", link, "ticket", "list"])
        // Then each is refused (78), naming the owner, without the password
        #expect(owned.status == 78 && owned.err.contains("owned by nobody"), "\(owned)")
        #expect(!owned.err.contains(secret))
        #expect(planted.status == 78 && planted.err.contains("symbolic link owned by nobody"), "\(planted)")
    }

    @Test func aMalformedFileIsRefusedNamingTheFileAndLineButNotThePassword() throws {
        // Given files wrong in the ways a hand-edited file is, each with a password in it
        let sandbox = try Sandbox()
        let secret = "pw-\(UUID().uuidString)"
        let files: [(String, String)] = [
            ("[postgres]\npassword = '\(secret)'\npassword = '\(secret)'\n", "line 3: 'password' is given twice"),
            ("[postgres]\nport = 99999\npassword = '\(secret)'\n", "line 2: port must be a number from 1 to 65535"),
            ("[postgres]\npassword = \(secret) \(secret)\n", "line 2: a value with spaces"),
            ("[postgress]\npassword = '\(secret)'\n", "line 1: unknown section [postgress]"),
            ("[postgres]\npasword = '\(secret)'\n", "line 2: [postgres] has no key 'pasword'"),
            ("[postgres]\r\nhost = a\r\n\(secret)\r\n", "line 3: is not 'key = value'"),
            ("[postgres]\nhost = a\0b\npassword = '\(secret)'\n", "line 2: contains a NUL byte"),
        ]
        for (text, words) in files {
            let file = try write(text, in: sandbox)
            // When a command reads it
            let result = try run(sandbox, ["--config", file, "ticket", "list", "--json"])
            // Then exit 78 names the file and the line, and the password is nowhere
            #expect(result.status == 78, "\(text.debugDescription): \(result)")
            let message = try result.apiError()["error"] as? String ?? ""
            #expect(message.contains("config file \(file), \(words)"), "\(message)")
            #expect(!result.err.contains(secret) && !result.out.contains(secret))
        }
    }

    @Test func helpStillWorksBesideABrokenFile() throws {
        // Given a default config file that is refused (mode 0644)
        let sandbox = try Sandbox()
        try write("[postgres]\nhost = x\n", to: "home/.config/support/config", mode: 0o644, in: sandbox)
        // When someone asks for help, or the version
        let help = try run(sandbox, ["--help"])
        let version = try run(sandbox, ["--version"])
        // Then both answer; only a command that opens the desk says what is wrong
        #expect(help.status == 0 && help.out.contains("--config"), "\(help)")
        #expect(version.status == 0, "\(version)")
        let list = try run(sandbox, ["ticket", "list"])
        #expect(list.status == 78 && list.err.contains("chmod 600"), "\(list)")
    }

    @Test func pinnedTheCallerCannotNameAConfigFileButTheWrapperCan() throws {
        // Given a desk pinned by a wrapper through SUPPORT_CONFIG (an SQLite desk in the file)
        let sandbox = try Sandbox()
        let desk = sandbox.directory.appendingPathComponent("pinned.db").path
        let file = try write("[sqlite]\npath = \(desk)\n", in: sandbox)
        #expect(try run(sandbox, ["--db", desk, "user", "add", "ana@example.com", "--role", "admin"]).status == 0)
        let other = try write("[sqlite]\npath = \(sandbox.dbPath)\n", to: "other.conf", in: sandbox)
        let pinned: [String: String?] = ["SUPPORT_PINNED": "1", "SUPPORT_CONFIG": file, "SUPPORT_AS": "ana@example.com"]
        // When the pinned person works, and then names a config file of their own
        let works = try run(sandbox, ["user", "list"], environment: pinned)
        let redirected = try run(sandbox, ["--config", other, "user", "list"], environment: pinned)
        let redirectedLast = try run(sandbox, ["user", "list", "--config=\(other)"], environment: pinned)
        // Then the wrapper's desk is used, and the caller's --config is refused (77)
        #expect(works.status == 0 && works.out.contains("ana@example.com"), "\(works)")
        for result in [redirected, redirectedLast] {
            #expect(result.status == 77 && result.err.contains("SUPPORT_PINNED"), "\(result)")
        }
        // And a wrapper that pins neither SUPPORT_DB nor SUPPORT_CONFIG is misconfigured (78),
        // even with a config file in the default place
        try write("[sqlite]\npath = \(desk)\n", to: "home/.config/support/config", in: sandbox)
        let unpinned = try run(sandbox, ["user", "list"], environment: ["SUPPORT_PINNED": "1", "SUPPORT_AS": "ana@example.com"])
        #expect(unpinned.status == 78 && unpinned.err.contains("SUPPORT_CONFIG"), "\(unpinned)")
    }

    @Test func aPostgresSectionHandsTheCommandToSupportPg() throws {
        // Given support with a stand-in support-pg beside it that prints what it was given
        let sandbox = try Sandbox()
        let directory = sandbox.directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let support = directory.appendingPathComponent("support")
        if link(sandbox.binary.path, support.path) != 0 { try FileManager.default.copyItem(at: sandbox.binary, to: support) }
        let script = "#!/bin/sh\nprintf 'support-pg:'\nprintf ' [%s]' \"$@\"\necho\nenv | grep -c pw- || true\n"
        // Written through a close-on-exec descriptor: a child another test forks meanwhile must not
        // keep it open for writing, or executing it fails with ETXTBSY ("Text file busy").
        let fd = open(directory.appendingPathComponent("support-pg").path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        try #require(fd >= 0)
        _ = script.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        let file = try write("[postgres]\nhost = db.example\npassword = pw-secret\n", in: sandbox)
        // When a command finds the desk in the config file, by --config and by SUPPORT_CONFIG
        // (tried again while a child forked by another test may still hold the script open)
        func handedOver(_ arguments: [String], _ environment: [String: String?]) throws -> CLIResult {
            var result = try run(sandbox, arguments, environment: environment, binary: support)
            for _ in 0..<20 where result.err.contains("Text file busy") {
                usleep(100_000)
                result = try run(sandbox, arguments, environment: environment, binary: support)
            }
            return result
        }
        let byOption = try handedOver(["ticket", "list", "--config", file], [:])
        let byVariable = try handedOver(["ticket", "list"], ["SUPPORT_CONFIG": file])
        // Then support-pg runs in its place with the same arguments and without the password in
        // its arguments or environment (it reads the file itself)
        #expect(byOption.out == "support-pg: [ticket] [list] [--config] [\(file)]\n0\n", "\(byOption)")
        #expect(byVariable.out == "support-pg: [ticket] [list]\n0\n", "\(byVariable)")
        // And an SQLite --db still wins over the file
        let sqlite = try run(sandbox, ["--db", sandbox.dbPath, "settings", "get", "support_name"], environment: ["SUPPORT_CONFIG": file],
                             binary: support)
        #expect(sqlite.status == 0 && sqlite.out == "Support\n", "\(sqlite)")
    }

    // MARK: - PostgreSQL desks (a real server)

    @Test(.enabled(if: PostgresTestDatabase.available, Comment(rawValue: needsPostgres)))
    func aPostgresSectionSelectsThePostgresDesk() throws {
        // Given a fresh database and a config file with its address and password
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        let file = try write(Self.postgresSection(database, password: database.server.password), in: sandbox)
        let environment: [String: String?] = ["SUPPORT_CONFIG": file]
        // When an admin is added and a ticket created and listed, with nothing else naming the desk
        let added = try run(sandbox, ["user", "add", "ada@example.com", "--role", "admin"], environment: environment)
        let created = try run(sandbox, ["--as", "ada@example.com", "ticket", "create", "--subject", "From the config file",
                                        "--category", "bug-report", "--message", "m"], environment: environment)
        let listed = try run(sandbox, ["ticket", "list", "--json", "--verbose"], environment: environment)
        // Then each worked on PostgreSQL
        #expect(added.status == 0, "\(added)")
        #expect(created.status == 0, "\(created)")
        #expect(listed.status == 0, "\(listed)")
        let tickets = try listed.json()["tickets"] as? [[String: Any]] ?? []
        #expect(tickets.map { $0["subject"] as? String } == ["From the config file"])
        #expect(try database.sql("SELECT subject FROM ticket") == "From the config file")
        // And no SQLite file was made, and --verbose never shows the password
        #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("xdg/support/support.db").path))
        for result in [added, created, listed] {
            #expect(!result.err.contains(database.server.password) && !result.out.contains(database.server.password))
        }
        #expect(listed.err.contains("config file"), "the verbose log names where the desk came from: \(listed.err)")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, Comment(rawValue: needsPostgres)))
    func aSocketDirectoryAsHostConnectsOverTheUnixSocket() throws {
        // Given a config file whose host is the server's socket directory (trusted: no password)
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        guard let directory = database.server.socketDirectory else {
            print("skipped: the test server has no socket directory (SUPPORT_TEST_POSTGRES_SOCKET)")
            return
        }
        let file = try write("""
            [postgres]
            host = \(directory)
            port = \(database.server.port)
            user = support_test
            dbname = \(database.name)

            """, in: sandbox)
        // When a command runs with no password anywhere
        let result = try run(sandbox, ["--config", file, "settings", "get", "support_name"])
        // Then it reads the desk over the socket
        #expect(result.status == 0 && result.out == "Support\n", "\(result)")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, Comment(rawValue: needsPostgres)))
    func theFilesPasswordWinsOverPGPASSWORDAndWithoutOneTheEnvironmentsIsUsed() throws {
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        let wrong = "wrong-\(UUID().uuidString)"
        // Given the right password in the file and a wrong one in PGPASSWORD
        let withPassword = try write(Self.postgresSection(database, password: database.server.password), to: "with.conf", in: sandbox)
        let fileWins = try run(sandbox, ["--config", withPassword, "settings", "get", "support_name"], environment: ["PGPASSWORD": wrong])
        #expect(fileWins.status == 0 && fileWins.out == "Support\n", "\(fileWins)")
        // Given no password in the file: PGPASSWORD, then the password file, as for an address
        let without = try write(Self.postgresSection(database, password: nil), to: "without.conf", in: sandbox)
        let fromVariable = try run(sandbox, ["--config", without, "settings", "get", "support_name"],
                                   environment: ["PGPASSWORD": database.server.password])
        #expect(fromVariable.status == 0 && fromVariable.out == "Support\n", "\(fromVariable)")
        let passfile = try write("*:*:*:support_test:\(database.server.password)\n", to: "pgpass", in: sandbox)
        let fromPassFile = try run(sandbox, ["--config", without, "settings", "get", "support_name"], environment: ["PGPASSFILE": passfile])
        #expect(fromPassFile.status == 0 && fromPassFile.out == "Support\n", "\(fromPassFile)")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, Comment(rawValue: needsPostgres)))
    func dbCopyTakesItsTargetAndItsPasswordFromAConfigFile() throws {
        // Given an SQLite desk with a ticket, and a config file naming an empty PostgreSQL
        // database with its password (and no PGPASSWORD, no ~/.pgpass)
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        let sqlite = ["--db", sandbox.dbPath]
        let created = try run(sandbox, sqlite + ["ticket", "create", "--subject", "Moved by the file", "--category", "bug-report", "--message", "m"])
        #expect(created.status == 0, "\(created)")
        let file = try write(Self.postgresSection(database, password: database.server.password), to: "target.conf", in: sandbox)
        // When the desk is copied with --to-config
        let copied = try run(sandbox, sqlite + ["db", "copy", "--to-config", file])
        // Then the ticket is in PostgreSQL, and nothing printed the password
        #expect(copied.status == 0, "\(copied)")
        #expect(try database.sql("SELECT subject FROM ticket") == "Moved by the file")
        #expect(!copied.out.contains(database.server.password) && !copied.err.contains(database.server.password))

        // And a file others may read, one with no [postgres] section, and two targets at once are refused
        let loose = try write(Self.postgresSection(database, password: database.server.password), to: "loose.conf", mode: 0o644, in: sandbox)
        let refusedLoose = try run(sandbox, sqlite + ["db", "copy", "--to-config", loose])
        #expect(refusedLoose.status == 78 && refusedLoose.err.contains("chmod 600"), "\(refusedLoose)")
        #expect(!refusedLoose.err.contains(database.server.password))
        let sqliteOnly = try write("[sqlite]\npath = /tmp/elsewhere.db\n", to: "sqlite.conf", in: sandbox)
        let refusedSQLite = try run(sandbox, sqlite + ["db", "copy", "--to-config", sqliteOnly])
        #expect(refusedSQLite.status == 78 && refusedSQLite.err.contains("no [postgres] section"), "\(refusedSQLite)")
        let both = try run(sandbox, sqlite + ["db", "copy", "--to", database.url(), "--to-config", file])
        #expect(both.status == 64, "\(both)")
        let neither = try run(sandbox, sqlite + ["db", "copy"])
        #expect(neither.status == 64, "\(neither)")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, Comment(rawValue: needsPostgres)))
    func aWrongPasswordInTheFileIsAConfigurationErrorThatNamesTheFileNotThePassword() throws {
        // Given a config file with a wrong password
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        let wrong = "wrong #\(UUID().uuidString) = x"
        let file = try write(Self.postgresSection(database, password: wrong), in: sandbox)
        // When a command connects, plainly and with --json
        let plain = try run(sandbox, ["--config", file, "ticket", "list"])
        let json = try run(sandbox, ["--config", file, "ticket", "list", "--json"])
        // Then exit 78 names the user, the database and the file to check, never the password
        #expect(plain.status == 78, "\(plain)")
        #expect(plain.err.contains("support_test") && plain.err.contains(database.name) && plain.err.contains("the config file \(file)"), "\(plain)")
        #expect(json.status == 78, "\(json)")
        for result in [plain, json] {
            #expect(!result.err.contains(wrong) && !result.out.contains(wrong))
            #expect(!result.err.contains(database.server.password))
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.available, Comment(rawValue: needsPostgres)))
    func theCommandLineAndSUPPORT_DBWinOverAPostgresFile() throws {
        // Given a config file naming a PostgreSQL desk called "Team", and an SQLite desk called "Local"
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        let file = try write(Self.postgresSection(database, password: database.server.password), in: sandbox)
        #expect(try run(sandbox, ["--config", file, "settings", "set", "support_name", "Team"]).status == 0)
        #expect(try run(sandbox, ["--db", sandbox.dbPath, "settings", "set", "support_name", "Local"]).status == 0)
        // When the desk is asked for with the file in SUPPORT_CONFIG and --db or SUPPORT_DB naming the SQLite file
        let byOption = try run(sandbox, ["--db", sandbox.dbPath, "settings", "get", "support_name"], environment: ["SUPPORT_CONFIG": file])
        let byVariable = try run(sandbox, ["settings", "get", "support_name"], environment: ["SUPPORT_CONFIG": file, "SUPPORT_DB": sandbox.dbPath])
        let fileAlone = try run(sandbox, ["settings", "get", "support_name"], environment: ["SUPPORT_CONFIG": file])
        // Then --db and SUPPORT_DB win; the file decides only alone
        #expect(byOption.out == "Local\n", "\(byOption)")
        #expect(byVariable.out == "Local\n", "\(byVariable)")
        #expect(fileAlone.out == "Team\n", "\(fileAlone)")
    }

    @Test(.enabled(if: PostgresTestDatabase.available, Comment(rawValue: needsPostgres)))
    func mailIngestAndNotifyFlushFindTheDeskInTheFileAsAnMTAAndCronRunThem() throws {
        // Given a PostgreSQL desk named only by /etc-style SUPPORT_CONFIG, whose mail goes to a fake sendmail
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        let file = try write(Self.postgresSection(database, password: database.server.password), in: sandbox)
        let sent = sandbox.directory.appendingPathComponent("sent")
        try FileManager.default.createDirectory(at: sent, withIntermediateDirectories: true)
        let environment: [String: String?] = ["SUPPORT_CONFIG": file]
        for line in [["settings", "set", "support_email", "help@desk.test"],
                     // A mail program that keeps its environment and reads the message
                     ["settings", "set", "sendmail_command", "/bin/sh -c 'env > \(sent.path)/env.$$; cat > \(sent.path)/m.$$.eml'"]] {
            let result = try run(sandbox, line, environment: environment)
            try #require(result.status == 0, "\(line): \(result)")
        }
        // When the MTA pipes a message in, and cron flushes the outbox
        let message = Data(InboundFixtures.message(id: "from-the-mta@cust.example").utf8)
        let ingested = try sandbox.launch(["mail", "ingest"], stdin: message, environment: Self.noDeskVariable.merging(environment) { $1 }).wait()
        let flushed = try run(sandbox, ["notify", "flush", "--json"], environment: environment)
        // Then the message became a ticket on PostgreSQL and its mail was sent
        #expect(ingested.status == 0, "\(ingested)")
        #expect(flushed.status == 0, "\(flushed)")
        #expect(try database.sql("SELECT count(*) FROM ticket") == "1")
        let delivered = try FileManager.default.contentsOfDirectory(atPath: sent.path).filter { $0.hasSuffix(".eml") }
        #expect(!delivered.isEmpty, "\(flushed)")
        #expect(try database.sql("SELECT count(*) FROM outbox WHERE status <> 'sent'") == "0")
        // And the mail program's environment had no password in it (the file's is not exported)
        let environments = try FileManager.default.contentsOfDirectory(atPath: sent.path).filter { $0.hasPrefix("env.") }
        #expect(!environments.isEmpty)
        for name in environments {
            let text = try String(contentsOf: sent.appendingPathComponent(name), encoding: .utf8)
            #expect(text.contains("SUPPORT_CONFIG="), "the environment as the program saw it: \(text)")
            #expect(!text.contains(database.server.password), "\(name)")
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.available, Comment(rawValue: needsPostgres)))
    func serveReachesTheDeskThroughTheFileWithThePasswordInNoArgumentOrEnvironment() throws {
        // Given a PostgreSQL desk named only by the default config file, an admin and a ticket
        let sandbox = try Sandbox()
        let database = try PostgresTestDatabase()
        try write(Self.postgresSection(database, password: database.server.password), to: "home/.config/support/config", in: sandbox)
        #expect(try run(sandbox, ["user", "add", "ada@example.com", "--role", "admin"]).status == 0)
        #expect(try run(sandbox, ["--as", "ada@example.com", "ticket", "create", "--subject", "Served", "--category", "bug-report",
                                  "--message", "m"]).status == 0)
        let token = try run(sandbox, ["token", "issue", "ada@example.com"])
        try #require(token.status == 0, "\(token)")
        // When `support serve` runs (support → support-pg → support-server, one process)
        let log = sandbox.directory.appendingPathComponent("server.out")
        let server = try sandbox.launch(["-c", "exec \"$SUPPORT\" serve --listen 127.0.0.1:0 > \(log.path)"],
                                        environment: Self.noDeskVariable.merging(["SUPPORT": sandbox.binary.path]) { $1 },
                                        executable: URL(fileURLWithPath: "/bin/sh"))
        defer {
            server.send(SIGTERM)
            _ = try? server.wait(timeout: 30)
        }
        var base: String?
        let deadline = Date().addingTimeInterval(60)
        while base == nil, Date() < deadline {
            if let text = try? String(contentsOf: log, encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                base = "http://" + line.dropFirst("listening on ".count)
            }
            usleep(50_000)
        }
        let url = try #require(base, "the server did not start")
        // Then a GET over HTTP reads the ticket from PostgreSQL
        let get = try sandbox.launch(["python3", "-c", """
            import sys, urllib.request
            request = urllib.request.Request(sys.argv[1] + "/api/support/tickets", headers={"Authorization": "Bearer " + sys.argv[2]})
            print(urllib.request.urlopen(request, timeout=30).read().decode())
            """, url, token.out.trimmingCharacters(in: .whitespacesAndNewlines)],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
            executable: URL(fileURLWithPath: "/usr/bin/env")).wait()
        #expect(get.status == 0 && get.out.contains("\"Served\""), "\(get)")
        // And the server's command line and environment (/proc) hold no password
        let pid = server.processIdentifier
        let commandLine = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
        let environment = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        let shown = String(decoding: commandLine, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
        #expect(shown.contains("support-server serve --config"), "\(shown)")
        for bytes in [commandLine, environment] {
            #expect(!String(decoding: bytes, as: UTF8.self).contains(database.server.password))
        }
    }
}
