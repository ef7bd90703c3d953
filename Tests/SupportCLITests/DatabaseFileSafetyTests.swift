import Foundation
import Testing

/// Every file support creates beside the database (the file, `-wal`, `-shm`, `.lock`, and the
/// `-journal` of a bulk import) is never created or opened through a link someone planted, and
/// ends up 0600. (issue 13.9)
@Suite("database files: links and modes")
struct DatabaseFileSafetyTests {
    static func mode(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : -1
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static let create = ["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m"]

    @Test(arguments: ["-wal", "-shm", ".lock", "-journal"])
    func aSideFilePlantedAsADanglingLinkIsRefusedAndItsTargetNeverMade(suffix: String) throws {
        // Given a link where a side file will go, pointing at a file that does not exist
        let sandbox = try Sandbox()
        let target = sandbox.directory.appendingPathComponent("planted-target").path
        try FileManager.default.createSymbolicLink(atPath: sandbox.dbPath + suffix, withDestinationPath: target)
        // When support opens the database (a new one)
        let result = try sandbox.run(Self.create)
        // Then it refuses (74), names the link, and the target was not created
        #expect(result.status == 74, "\(result)")
        #expect(result.err.contains("symbolic link"), "\(result.err)")
        #expect(!Self.exists(target))
    }

    @Test(arguments: ["-wal", "-shm", ".lock", "-journal"])
    func aSideFilePlantedAsALinkToAnExistingFileLeavesThatFileAlone(suffix: String) throws {
        // Given an existing database, and a side file replaced by a link to another file
        let sandbox = try Sandbox()
        try sandbox.createTicket()
        let victim = sandbox.directory.appendingPathComponent("victim.txt").path
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        chmod(victim, 0o644)
        try? FileManager.default.removeItem(atPath: sandbox.dbPath + suffix)
        try FileManager.default.createSymbolicLink(atPath: sandbox.dbPath + suffix, withDestinationPath: victim)
        // When support opens the database
        let result = try sandbox.run(["ticket", "list"])
        // Then it refuses, and the other file keeps its bytes and its mode
        #expect(result.status == 74, "\(result)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(Self.mode(victim) == 0o644)
    }

    @Test func theDatabasePathAsADanglingLinkIsRefusedAndItsTargetNeverMade() throws {
        // Given the database path is a link to a missing file (SQLite would create it, 0644)
        let sandbox = try Sandbox()
        let target = sandbox.directory.appendingPathComponent("elsewhere.db").path
        try FileManager.default.createSymbolicLink(atPath: sandbox.dbPath, withDestinationPath: target)
        // When support runs, with a permissive umask
        let result = try sandbox.shell(#"umask 000; "$SUPPORT" ticket list"#)
        // Then it refuses and creates nothing
        #expect(result.status == 74, "\(result)")
        #expect(result.err.contains("missing file"), "\(result.err)")
        #expect(!Self.exists(target))
    }

    @Test func aLinkTheUserMadeToTheirDatabaseIsFollowedAndTheSideFilesGoBesideTheFile() throws {
        // Given a database and the user's own link to it
        let sandbox = try Sandbox()
        try sandbox.createTicket(subject: "via the real path")
        let link = sandbox.directory.appendingPathComponent("link.db").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: sandbox.dbPath)
        // When the link is named
        let result = try sandbox.run(["ticket", "list", "--json"], environment: ["SUPPORT_DB": link])
        // Then it is the same desk, and no side file was made beside the link
        #expect(result.status == 0, "\(result)")
        #expect((try result.json()["pagination"] as? [String: Int])?["total"] == 1)
        for suffix in ["-wal", "-shm", ".lock"] {
            #expect(!Self.exists(link + suffix), "\(suffix)")
            #expect(Self.mode(sandbox.dbPath + suffix) == 0o600, "\(suffix)")
        }
    }

    @Test func anExistingEmptyFileBecomesAPrivateDatabase() throws {
        // Given an empty 0644 file at the path (made with `touch`)
        let sandbox = try Sandbox()
        #expect(FileManager.default.createFile(atPath: sandbox.dbPath, contents: nil, attributes: [.posixPermissions: 0o644]))
        // When support creates its database in it, with a permissive umask
        let result = try sandbox.shell(#"umask 000; "$SUPPORT" ticket create --subject s --category bug-report --message m"#)
        // Then the file and every side file are 0600
        #expect(result.status == 0, "\(result)")
        #expect(Self.mode(sandbox.dbPath) == 0o600)
        for suffix in ["-wal", "-shm", ".lock"] {
            #expect(Self.mode(sandbox.dbPath + suffix) == 0o600, "\(suffix)")
        }
    }

    @Test func aPreexisting0644DatabaseGetsPrivateSideFiles() throws {
        // Given a database its owner made 0644, with its side files gone or 0644 too
        let sandbox = try Sandbox()
        try sandbox.createTicket()
        chmod(sandbox.dbPath, 0o644)
        try? FileManager.default.removeItem(atPath: sandbox.dbPath + "-shm")
        try? FileManager.default.removeItem(atPath: sandbox.dbPath + ".lock")
        chmod(sandbox.dbPath + "-wal", 0o644)
        // When support writes to it
        let result = try sandbox.shell(#"umask 000; "$SUPPORT" ticket create --subject t --category bug-report --message m"#)
        // Then the file and the side files it creates or finds are 0600 (SQLite gives an empty
        // side file the file's mode each time it opens one, so they are private only together)
        #expect(result.status == 0, "\(result)")
        for suffix in ["-wal", "-shm", ".lock"] {
            #expect(Self.mode(sandbox.dbPath + suffix) == 0o600, "\(suffix)")
        }
        #expect(Self.mode(sandbox.dbPath) == 0o600)
    }

    @Test func aLinkPlantedByAnotherUserIsNotFollowed() throws {
        guard let other = SecondUser.available("aLinkPlantedByAnotherUserIsNotFollowed") else { return }
        // Given a database, and a link to it owned by another user (as one planted in /tmp)
        let sandbox = try Sandbox()
        try sandbox.createTicket()
        let link = sandbox.directory.appendingPathComponent("planted.db").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: sandbox.dbPath)
        #expect(lchown(link, other.uid, other.gid) == 0)
        // When the user names that path
        let result = try sandbox.run(["ticket", "list"], environment: ["SUPPORT_DB": link])
        // Then support refuses to follow it, naming its owner
        #expect(result.status == 74, "\(result)")
        #expect(result.err.contains(other.name), "\(result.err)")
    }

    @Test(arguments: ["", "-wal", "-shm"])
    func aFilePlantedByAnotherUserIsRefused(suffix: String) throws {
        guard let other = SecondUser.available("aFilePlantedByAnotherUserIsRefused") else { return }
        // Given an empty 0666 file owned by another user where the database or a side file goes
        let sandbox = try Sandbox()
        let planted = sandbox.dbPath + suffix
        #expect(FileManager.default.createFile(atPath: planted, contents: nil))
        chmod(planted, 0o666)
        try SecondUser.chown(planted, to: other)
        // When a third user, not root (root may use any file), creates a database there, in a
        // directory everyone may write to with the sticky bit (as /tmp)
        guard chmod(sandbox.directory.path, 0o1777) == 0 else { throw CLIError(description: "chmod") }
        let result = try sandbox.runAs(try thirdParty(), [sandbox.binary.path] + Self.create)
        // Then it is refused as a trust problem (78, as StrictModes) and nothing is written into
        // the planted file
        #expect(result.status == 78, "\(result)")
        #expect(result.err.contains(other.name), "\(result.err)")
        #expect(Self.mode(planted) == 0o666)
        var info = stat()
        #expect(lstat(planted, &info) == 0 && info.st_size == 0)
    }

    /// `nobody`: a user who is neither root nor the planting user.
    func thirdParty() throws -> SecondUser.Account {
        guard let entry = getpwnam("nobody") else { throw CLIError(description: "no user nobody") }
        return SecondUser.Account(name: "nobody", uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }
}
