import Foundation
import Testing

/// `notify flush` runs the `sendmail_command` stored in the file only when nobody but the
/// flushing user (or root) could have written the file, its side files or its directories, as
/// ssh's StrictModes; `SUPPORT_STRICT_MODES=no` is the override. (issue 13.2)
@Suite("StrictModes: a database names a program only when it is trusted")
struct StrictModesTests {
    /// A desk with one message due and a mail program that records who ran it.
    struct Desk {
        let sandbox: Sandbox
        let marker: String

        init() throws {
            sandbox = try Sandbox()
            marker = sandbox.directory.appendingPathComponent("ran-as").path
            let program = sandbox.directory.appendingPathComponent("mailer.sh").path
            try Data("#!/bin/sh\ncat > /dev/null\nid -u >> '\(marker)'\n".utf8).write(to: URL(fileURLWithPath: program))
            chmod(program, 0o755)
            try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
            try sandbox.succeed(["settings", "set", "sendmail_command", program])
            try sandbox.succeed(["ticket", "create", "--subject", "s", "--category", "bug-report", "--message", "m",
                                 "--requester", "jane@example.test"])
        }

        var ran: Bool { FileManager.default.fileExists(atPath: marker) }

        func flush(_ environment: [String: String?] = [:]) throws -> CLIResult {
            try sandbox.run(["notify", "flush"], environment: environment)
        }

        func pending() throws -> Int {
            let list = try sandbox.succeed(["notify", "list", "--status", "pending", "--json"])
            return (try list.json()["messages"] as? [Any])?.count ?? -1
        }
    }

    @Test func theOwnersOwnPrivateFileRunsItsProgram() throws {
        let desk = try Desk()
        let result = try desk.flush()
        #expect(result.status == 0, "\(result)")
        #expect(desk.ran)
    }

    @Test func rootDoesNotRunTheProgramOfAFileAnotherUserOwns() throws {
        guard let other = SecondUser.available("rootDoesNotRunTheProgramOfAFileAnotherUserOwns") else { return }
        // Given the desk's file (and side files) owned by another user, as a user's own desk
        let desk = try Desk()
        for suffix in ["", "-wal", "-shm", ".lock"] {
            try SecondUser.chown(desk.sandbox.dbPath + suffix, to: other)
        }
        // When root flushes it
        let result = try desk.flush()
        // Then the program is not run: 78, a message naming the owner and the override, nothing sent
        #expect(result.status == 78, "\(result)")
        #expect(result.err.contains(other.name) && result.err.contains("SUPPORT_STRICT_MODES=no"), "\(result.err)")
        #expect(!desk.ran)
        #expect(try desk.pending() == 2)
        // And the admin who means it can say so
        let forced = try desk.flush(["SUPPORT_STRICT_MODES": "no"])
        #expect(forced.status == 0, "\(forced)")
        #expect(desk.ran)
    }

    @Test func aWalFileAnotherUserOwnsIsNotTrustedEither() throws {
        guard let other = SecondUser.available("aWalFileAnotherUserOwnsIsNotTrustedEither") else { return }
        let desk = try Desk()
        try SecondUser.chown(desk.sandbox.dbPath + "-wal", to: other)
        let result = try desk.flush()
        #expect(result.status == 78, "\(result)")
        #expect(!desk.ran)
    }

    @Test(arguments: [0o620, 0o602, 0o660])
    func aFileWritableByGroupOrOthersIsNotTrusted(mode: Int) throws {
        let desk = try Desk()
        chmod(desk.sandbox.dbPath, mode_t(mode))
        let result = try desk.flush()
        #expect(result.status == 78, "\(result)")
        #expect(result.err.contains("writable by its group or others"), "\(result.err)")
        #expect(!desk.ran)
    }

    @Test func aDirectoryOthersCanWriteWithoutTheStickyBitIsNotTrusted() throws {
        // Given the desk's directory writable by everyone, without the sticky bit (anyone could swap the file)
        let desk = try Desk()
        chmod(desk.sandbox.directory.path, 0o777)
        let result = try desk.flush()
        #expect(result.status == 78, "\(result)")
        #expect(result.err.contains("directory"), "\(result.err)")
        #expect(!desk.ran)
        // And with the sticky bit (as /tmp) others cannot replace the file: it runs
        chmod(desk.sandbox.directory.path, 0o1777)
        let sticky = try desk.flush()
        #expect(sticky.status == 0, "\(sticky)")
        #expect(desk.ran)
    }

    @Test func aDirectoryAnotherUserOwnsIsNotTrusted() throws {
        guard let other = SecondUser.available("aDirectoryAnotherUserOwnsIsNotTrusted") else { return }
        // Given the desk in a directory another user owns (they could rename the file away and put theirs)
        let desk = try Desk()
        try SecondUser.chown(desk.sandbox.directory.path, to: other)
        let result = try desk.flush()
        #expect(result.status == 78, "\(result)")
        #expect(result.err.contains("directory") && result.err.contains(other.name), "\(result.err)")
        #expect(!desk.ran)
    }

    @Test func aProgramNamedOnTheCommandLineIsTheCallersChoice() throws {
        guard let other = SecondUser.available("aProgramNamedOnTheCommandLineIsTheCallersChoice") else { return }
        // Given a file another user owns
        let desk = try Desk()
        for suffix in ["", "-wal", "-shm", ".lock"] {
            try SecondUser.chown(desk.sandbox.dbPath + suffix, to: other)
        }
        // When the flush names its own program
        let program = desk.sandbox.directory.appendingPathComponent("mailer.sh").path
        let result = try desk.sandbox.run(["notify", "flush", "--sendmail", program])
        // Then that program runs: the file chose nothing
        #expect(result.status == 0, "\(result)")
        #expect(desk.ran)
    }
}
