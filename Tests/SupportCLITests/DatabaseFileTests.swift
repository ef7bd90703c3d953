import Foundation
import Testing

/// Where the database lives and who may read it.
@Suite("the database file")
struct DatabaseFileTests {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func theFileIsPrivateWhateverTheUmask() throws {
        // Given a permissive umask
        let sandbox = try Sandbox()
        // When support creates its database
        let result = try sandbox.shell(#"umask 000; "$SUPPORT" ticket create --subject s --category bug-report --message m"#)
        // Then the file (and its lock) are readable by the owner only
        #expect(result.status == 0, "\(result)")
        #expect(try Self.mode(sandbox.dbPath) == 0o600)
        for suffix in ["-wal", "-shm", ".lock"] where FileManager.default.fileExists(atPath: sandbox.dbPath + suffix) {
            #expect(try Self.mode(sandbox.dbPath + suffix) & 0o077 == 0, "\(suffix)")
        }
    }

    @Test func theDefaultPathIsUnderXDGDataHomeInAPrivateDirectory() throws {
        // Given no SUPPORT_DB and an XDG_DATA_HOME that does not exist yet
        let sandbox = try Sandbox()
        let xdg = sandbox.directory.appendingPathComponent("xdg-data").path
        // When support runs, even with a permissive umask
        let result = try sandbox.shell(#"umask 000; "$SUPPORT" ticket create --subject s --category bug-report --message m"#,
                                       environment: ["SUPPORT_DB": nil, "XDG_DATA_HOME": xdg])
        // Then $XDG_DATA_HOME/support is created 0700 and the file 0600
        #expect(result.status == 0, "\(result)")
        #expect(try Self.mode(xdg + "/support") == 0o700)
        #expect(try Self.mode(xdg + "/support/support.db") == 0o600)
        #expect(!FileManager.default.fileExists(atPath: sandbox.dbPath))
        // And the next run finds the same database
        let list = try sandbox.run(["ticket", "list", "--json"], environment: ["SUPPORT_DB": nil, "XDG_DATA_HOME": xdg])
        #expect((try list.json()["pagination"] as? [String: Int])?["total"] == 1)
    }

    @Test func withoutXDGDataHomeTheDefaultIsUnderHome() throws {
        let sandbox = try Sandbox()
        let home = sandbox.directory.appendingPathComponent("fresh-home").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let result = try sandbox.run(["ticket", "list"], environment: ["SUPPORT_DB": nil, "XDG_DATA_HOME": nil, "HOME": home])
        #expect(result.status == 0, "\(result)")
        #expect(try Self.mode(home + "/.local/share/support") == 0o700)
        #expect(try Self.mode(home + "/.local/share/support/support.db") == 0o600)
    }

    @Test func aDbInAMissingDirectoryExits74AndCreatesNothing() throws {
        // Given --db in a directory that does not exist
        let sandbox = try Sandbox()
        let missing = sandbox.directory.appendingPathComponent("no/such/dir")
        // When support runs
        let result = try sandbox.run(["ticket", "list", "--db", missing.appendingPathComponent("x.db").path])
        let json = try sandbox.run(["ticket", "list", "--json"], environment: ["SUPPORT_DB": missing.appendingPathComponent("x.db").path])
        // Then it exits 74 with a message naming the directory, and creates nothing
        #expect(result.status == 74, "\(result)")
        #expect(result.out == "")
        #expect(result.err.contains(missing.path) && result.err.contains("does not exist"), "\(result.err)")
        #expect(json.status == 74)
        #expect(try json.apiError()["code"] as? String == "DATABASE_ERROR")
        #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("no").path))
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAndLeftAlone() throws {
        // Given a text file where the database should be
        let sandbox = try Sandbox()
        let content = Data("these are my notes, not a database\n".utf8)
        #expect(FileManager.default.createFile(atPath: sandbox.dbPath, contents: content))
        // When support opens it, to read and to write
        let read = try sandbox.run(["ticket", "list"])
        let write = try sandbox.run(["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m", "--json"])
        // Then it exits 74 and the file is untouched
        #expect(read.status == 74, "\(read)")
        #expect(read.err.contains("not a support database"), "\(read.err)")
        #expect(write.status == 74)
        #expect(try write.apiError()["code"] as? String == "DATABASE_ERROR")
        #expect(FileManager.default.contents(atPath: sandbox.dbPath) == content)
    }

    @Test func aDirectoryAsTheDatabaseIsRefused() throws {
        let sandbox = try Sandbox()
        let result = try sandbox.run(["ticket", "list", "--db", sandbox.directory.path])
        #expect(result.status == 74, "\(result)")
        #expect(result.out == "")
    }

    @Test func anEmptyDbOptionIsRefused() throws {
        let sandbox = try Sandbox()
        let result = try sandbox.run(["ticket", "list", "--db", ""])
        #expect(result.status == 65 || result.status == 64, "\(result)")
        #expect(result.out == "")
    }

    static let sqlite3 = "/usr/bin/sqlite3"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: sqlite3), "needs the sqlite3 shell to hold a lock"))
    func aLockHeldPastTheBusyTimeoutExits75AndLosesNothing() throws {
        // Given a database whose write lock another program holds for a few seconds
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "before the lock")
        let marker = sandbox.directory.appendingPathComponent("locked").path
        let holder = try sandbox.launchShell("""
            printf 'BEGIN IMMEDIATE;\nINSERT INTO setting (key, value) VALUES (%s, %s);\n.shell touch "%s"\n.shell sleep 3\nCOMMIT;\n' \
                "'support_name'" "'Held'" "$MARKER" | \(Self.sqlite3) "$SUPPORT_DB"
            """, environment: ["MARKER": marker])
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: marker) && Date() < deadline { usleep(20_000) }
        try #require(FileManager.default.fileExists(atPath: marker), "the lock holder never started")
        // When support tries to write with a short busy timeout
        let result = try sandbox.run(["ticket", "create", "--subject", "during the lock", "--category", "bug-report",
                                      "--message", "m", "--json"], environment: ["SUPPORT_BUSY_TIMEOUT": "0.2"])
        // Then it exits 75 with BUSY, in one line without SQL
        #expect(result.status == 75, "\(result)")
        #expect(result.out == "")
        #expect(try result.apiError()["code"] as? String == "BUSY")
        // And once the lock is gone the database holds the holder's change and not the refused ticket
        #expect(try holder.wait().status == 0)
        let list = try sandbox.succeed(["ticket", "list", "--json"]).json()
        #expect((list["tickets"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } == ["before the lock"])
        #expect(try sandbox.succeed(["settings", "get", "support_name"]).out == "Held\n")
        // And with the default timeout a writer simply waits for a short lock
        let waiting = try sandbox.launchShell("""
            printf 'BEGIN IMMEDIATE;\n.shell sleep 1\nCOMMIT;\n' | \(Self.sqlite3) "$SUPPORT_DB"
            """)
        usleep(300_000)
        let patient = try sandbox.run(["ticket", "create", "--subject", "after waiting", "--category", "bug-report", "--message", "m"])
        #expect(patient.status == 0, "\(patient)")
        _ = try waiting.wait()
    }
}
