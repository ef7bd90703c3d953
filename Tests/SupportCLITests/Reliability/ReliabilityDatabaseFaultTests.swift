import Foundation
import Testing

/// Part 4: a database that cannot be used as it should. Each fault gives its exit status (74,
/// 75, ...) and one line that says what to do, and never makes things worse: the file stays
/// sound (`PRAGMA integrity_check`), and byte for byte as it was where nothing should change.
///
/// We run as root, so permission bits stop nothing: read-only files and directories are made
/// with `chattr +i`, a full disk with a small tmpfs, a file size limit with `ulimit -f`. Where
/// the machine does not allow one (no chattr on the file system, no mount), the test says so
/// and is skipped.
@Suite("reliability: database faults", .enabled(if: ReliabilityTools.hasSQLite3, "needs the sqlite3 shell"))
struct ReliabilityDatabaseFaultTests {
    static func shell(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Whether `chattr +i` works where the sandboxes live (ext4 here; not on tmpfs or overlayfs).
    static let canMakeImmutable: Bool = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chattr-probe-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        defer { _ = shell("chattr -i '\(path)'"); try? FileManager.default.removeItem(atPath: path) }
        guard shell("chattr +i '\(path)'") == 0 else { return false }
        return shell("echo y >> '\(path)'") != 0
    }()

    /// Whether a tmpfs can be mounted here (root with CAP_SYS_ADMIN, outside a user namespace).
    static let canMount: Bool = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mount-probe-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard shell("mount -t tmpfs -o size=64k tmpfs '\(path)'") == 0 else { return false }
        _ = shell("umount '\(path)'")
        return true
    }()

    /// A sandbox with a few tickets (one with a long message), in a steady state.
    static func populated() throws -> Sandbox {
        let sandbox = try Sandbox()
        for i in 1...3 {
            try sandbox.succeed(["ticket", "create", "--subject", "fault \(i)", "--category", "bug-report",
                                 "--message", String(repeating: "text \(i) ", count: 400)])
        }
        try sandbox.succeed(["respond", Sandbox.number(1), "--message", "a reply"])
        try sandbox.succeed(["ticket", "list"])
        return sandbox
    }

    static let write = ["ticket", "create", "--subject", "during the fault", "--category", "bug-report", "--message", "m"]

    /// What every refusal here must look like: the status, one `support:` line saying what to
    /// do (`advice`), nothing on stdout, no SQL.
    static func expectRefusal(_ result: CLIResult, _ status: Int32, advice: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
        #expect(result.out.isEmpty, sourceLocation: sourceLocation)
        let lines = result.err.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("support: ") == true, "\(result.err)", sourceLocation: sourceLocation)
        #expect(advice.contains { result.err.contains($0) }, "no advice in: \(result.err)", sourceLocation: sourceLocation)
        #expect(result.reliabilityProblems().isEmpty, "\(result.reliabilityProblems())", sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: canMakeImmutable, "chattr +i does not work here"))
    func readOnlyFileRefusesWritesWithoutHarm() throws {
        // Given a database file that cannot be written (immutable)
        let sandbox = try Self.populated()
        let before = sandbox.reliabilityFingerprint
        try #require(Self.shell("chattr +i '\(sandbox.dbPath)'") == 0)
        defer { _ = Self.shell("chattr -i '\(sandbox.dbPath)'") }
        // When a command reads and another writes
        let read = try sandbox.run(["ticket", "list", "--json"])
        let write = try sandbox.run(Self.write)
        // Then reading works, writing exits 74 saying the file is read-only, and nothing changed
        #expect(read.status == 0, "\(read)")
        Self.expectRefusal(write, 74, advice: ["read-only"])
        let unchanged = sandbox.reliabilityFingerprint == before
        #expect(unchanged)
        // And once writable again, the next write works on a sound file
        _ = Self.shell("chattr -i '\(sandbox.dbPath)'")
        #expect(try sandbox.run(Self.write).status == 0)
        #expect(try sandbox.reliabilityIntegrity() == "ok")
        ReliabilityFigures.report("db-fault-read-only-file", ["read-exit": Int(read.status), "write-exit": Int(write.status), "unchanged": unchanged ? 1 : 0])
    }

    @Test(.enabled(if: canMakeImmutable, "chattr +i does not work here"))
    func readOnlyDirectoryWithoutSideFilesIsRefusedWithoutHarm() throws {
        // Given a database copied without its -wal and -shm into a directory where no file can be created
        let sandbox = try Self.populated()
        _ = try sandbox.reliabilitySQL("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ["-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: sandbox.dbPath + suffix) }
        let bytes = FileManager.default.contents(atPath: sandbox.dbPath)
        let directory = sandbox.directory.path
        try #require(Self.shell("chattr +i '\(directory)'") == 0)
        defer { _ = Self.shell("chattr -i '\(directory)'") }
        // When support reads and writes
        let read = try sandbox.run(["ticket", "list"])
        let write = try sandbox.run(Self.write + ["--json"])
        _ = Self.shell("chattr -i '\(directory)'")
        // Then both exit 74 naming the directory as the thing to fix, and the file is untouched
        Self.expectRefusal(read, 74, advice: ["directory", "writable", "read-only"])
        #expect(write.status == 74)
        #expect(try write.apiError()["code"] as? String == "DATABASE_ERROR")
        let unchanged = FileManager.default.contents(atPath: sandbox.dbPath) == bytes
        #expect(unchanged)
        // And with the directory writable again everything works
        #expect(try sandbox.run(Self.write).status == 0)
        #expect(try sandbox.reliabilityIntegrity() == "ok")
        ReliabilityFigures.report("db-fault-read-only-directory", ["read-exit": Int(read.status), "write-exit": Int(write.status), "unchanged": unchanged ? 1 : 0])
    }

    @Test(.enabled(if: canMakeImmutable, "chattr +i does not work here"))
    func readOnlyDirectoryWithSideFilesStillWorks() throws {
        // Given a directory where no file can be created but the -wal and -shm exist already
        let sandbox = try Self.populated()
        let directory = sandbox.directory.path
        try #require(Self.shell("chattr +i '\(directory)'") == 0)
        defer { _ = Self.shell("chattr -i '\(directory)'") }
        // When support reads and writes
        let read = try sandbox.run(["ticket", "list"])
        let write = try sandbox.run(Self.write)
        _ = Self.shell("chattr -i '\(directory)'")
        // Then both work: SQLite needs no new file there
        #expect(read.status == 0 && write.status == 0, "\(read)\n\(write)")
        #expect(try sandbox.reliabilityIntegrity() == "ok")
    }

    @Test func missingParentDirectoryCreatesNothing() throws {
        let sandbox = try Sandbox()
        let path = sandbox.directory.appendingPathComponent("gone/deeper/support.db").path
        let result = try sandbox.run(["ticket", "list"], environment: ["SUPPORT_DB": path])
        Self.expectRefusal(result, 74, advice: ["create it", "does not exist"])
        #expect(!FileManager.default.fileExists(atPath: sandbox.directory.appendingPathComponent("gone").path))
        ReliabilityFigures.report("db-fault-missing-directory", ["exit": Int(result.status), "created": 0])
    }

    /// Files that are not a sound support database, and what each must give.
    struct BadFile: Sendable, CustomTestStringConvertible {
        var name: String
        /// The damaged bytes, from the sound file and the root page number of the ticket table.
        var make: @Sendable (Data, Int) -> Data
        var testDescription: String { name }
    }

    static let badFiles: [BadFile] = [
        BadFile(name: "a text file") { _, _ in Data("my notes, not a database\n".utf8) },
        BadFile(name: "random bytes") { _, _ in Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }) },
        BadFile(name: "a SQLite header then garbage") { good, _ in good.prefix(100) + Data(repeating: 0xA5, count: 16_284) },
        BadFile(name: "truncated to 100 bytes") { good, _ in good.prefix(100) },
        BadFile(name: "truncated before the ticket table") { good, root in good.prefix((root - 1) * 4096) },
        BadFile(name: "truncated to half") { good, _ in good.prefix(good.count / 2) },
        BadFile(name: "truncated mid-page") { good, _ in good.prefix(good.count - 1_000) },
        BadFile(name: "the ticket table's page overwritten") { good, root in
            var bytes = good
            let start = 4096 * (root - 1)
            bytes.replaceSubrange(start..<min(bytes.count, start + 4096), with: Data(repeating: 0xFF, count: min(4096, bytes.count - start)))
            return bytes
        },
        BadFile(name: "the schema page overwritten") { good, _ in
            var bytes = good
            bytes.replaceSubrange(100..<4096, with: Data(repeating: 0x5A, count: 3996))
            return bytes
        },
        BadFile(name: "the header's page size zeroed") { good, _ in
            var bytes = good
            bytes[16] = 0; bytes[17] = 0
            return bytes
        },
    ]

    @Test(arguments: badFiles)
    func damagedFileIsRefusedAndLeftAlone(_ bad: BadFile) throws {
        // Given a sound database, checkpointed into one file, then damaged
        let sandbox = try Self.populated()
        _ = try sandbox.reliabilitySQL("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sandbox.dbPath + suffix) }
        let root = try sandbox.reliabilityCount("SELECT rootpage FROM sqlite_schema WHERE name = 'ticket'")
        let good = try #require(FileManager.default.contents(atPath: sandbox.dbPath))
        let damaged = bad.make(good, root)
        try damaged.write(to: URL(fileURLWithPath: sandbox.dbPath))
        // When support reads, shows, searches and writes
        var statuses: [Int32] = []
        var changed = 0
        for arguments in [["ticket", "list"], ["ticket", "show", Sandbox.number(3)], ["ticket", "list", "--search", "text"], Self.write] {
            let result = try sandbox.run(arguments)
            statuses.append(result.status)
            // Then each exits 74 saying the file is damaged or not a database, and what to do
            Self.expectRefusal(result, 74, advice: ["restore it from a backup", "not a support database", "corrupt"])
            // And the file is byte for byte what it was
            if FileManager.default.contents(atPath: sandbox.dbPath) != damaged { changed += 1 }
            #expect(FileManager.default.contents(atPath: sandbox.dbPath) == damaged, "\(arguments) changed the file")
        }
        ReliabilityFigures.report("db-fault-\(bad.name.replacingOccurrences(of: " ", with: "-"))", [
            "commands": statuses.count, "exit74": statuses.filter { $0 == 74 }.count, "changed": changed,
        ])
    }

    @Test func schemaFromANewerVersionIsRefusedUntouched() throws {
        // Given a database a newer support migrated further
        let sandbox = try Self.populated()
        _ = try sandbox.reliabilitySQL("INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        _ = try sandbox.run(["--version"])
        let before = sandbox.reliabilityFingerprint
        // When this version reads or writes
        let read = try sandbox.run(["ticket", "list"])
        let write = try sandbox.run(Self.write + ["--json"])
        // Then it exits 74 asking for an upgrade, and changes nothing
        Self.expectRefusal(read, 74, advice: ["upgrade support"])
        #expect(write.status == 74)
        #expect(try write.apiError()["code"] as? String == "DATABASE_ERROR")
        let unchanged = sandbox.reliabilityFingerprint == before
        #expect(unchanged)
        #expect(try sandbox.reliabilityIntegrity() == "ok")
        ReliabilityFigures.report("db-fault-newer-schema", ["exit": Int(read.status), "unchanged": unchanged ? 1 : 0])
    }

    @Test func lockHeldPastTheBusyTimeoutGives75AndLosesNothing() throws {
        // Given another program holding an exclusive transaction on the file for 3 s
        let sandbox = try Self.populated()
        let marker = sandbox.directory.appendingPathComponent("holding").path
        let holder = try sandbox.launchShell("""
            printf 'BEGIN EXCLUSIVE;\\nINSERT INTO setting (key, value) VALUES (%s, %s);\\n.shell touch "%s"\\n.shell sleep 3\\nCOMMIT;\\n' \
                "'support_name'" "'Held'" "$MARKER" | \(ReliabilityTools.sqlite3) "$SUPPORT_DB"
            """, environment: ["MARKER": marker])
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: marker) && Date() < deadline { usleep(10_000) }
        try #require(FileManager.default.fileExists(atPath: marker), "the lock holder never started")
        // When support writes with SUPPORT_BUSY_TIMEOUT=1, and reads
        let started = Date()
        let write = try sandbox.run(Self.write, environment: ["SUPPORT_BUSY_TIMEOUT": "1"])
        let waited = Date().timeIntervalSince(started)
        let read = try sandbox.run(["ticket", "list", "--json"], environment: ["SUPPORT_BUSY_TIMEOUT": "1"])
        let flush = try sandbox.run(["notify", "flush", "--sendmail", "/bin/cat"], environment: ["SUPPORT_BUSY_TIMEOUT": "1"])
        // Then the write gives up after about a second with 75 and "try again"
        Self.expectRefusal(write, 75, advice: ["try again"])
        #expect(waited >= 0.9 && waited < 2.5, "waited \(waited) s")
        // And readers are not blocked (WAL), while the flush, which must write, also says 75
        #expect(read.status == 0, "\(read)")
        #expect(flush.status == 75 || flush.status == 0, "\(flush)")
        // And the holder's change is kept, the refused ticket is not there, the file is sound
        #expect(try holder.wait().status == 0)
        #expect(try sandbox.succeed(["settings", "get", "support_name"]).out == "Held\n")
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket WHERE subject = 'during the fault'") == 0)
        #expect(try sandbox.reliabilityIntegrity() == "ok")
        #expect(try sandbox.run(Self.write).status == 0)
        ReliabilityFigures.report("db-fault-lock-held", ["write-exit": Int(write.status), "read-exit": Int(read.status),
                                                         "waited-ms": Int(waited * 1000)])
    }

    @Test(.enabled(if: canMount, "cannot mount a tmpfs here"))
    func diskFillingUpMidWriteLosesNothing() throws {
        // Given a database on a 1 MiB file system
        let sandbox = try Sandbox()
        let mount = sandbox.directory.appendingPathComponent("small-disk").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try #require(Self.shell("mount -t tmpfs -o size=1m tmpfs '\(mount)'") == 0)
        defer { _ = Self.shell("umount '\(mount)'") }
        let path = mount + "/support.db"
        let env: [String: String?] = ["SUPPORT_DB": path]
        #expect(try sandbox.run(["ticket", "create", "--subject", "first", "--category", "bug-report", "--message", "m"], environment: env).status == 0)
        // When tickets with 60 kB messages are opened until the disk is full
        var created: [String] = []
        var refusal: CLIResult?
        for i in 1...40 {
            let text = Data((0..<60_000).map { UInt8(ascii: "a") + UInt8(($0 &* 31 &+ i) % 26) })
            let result = try sandbox.launch(["ticket", "create", "--subject", "filler \(i)", "--category", "bug-report", "--message", "-", "--json"],
                                            stdin: text, environment: env).wait()
            if result.status == 0 {
                created.append("filler \(i)")
            } else {
                refusal = result
                break
            }
        }
        // Then the write that did not fit exits 74 saying the disk is full, as one APIError line
        let full = try #require(refusal, "the disk never filled")
        #expect(full.status == 74, "\(full)")
        #expect(try full.apiError()["error"] as? String ?? "" == "the disk is full; nothing was changed: free some space and try again")
        #expect(full.reliabilityProblems().isEmpty)
        // And the file is sound, with every ticket that was reported created and no other
        #expect(try sandbox.reliabilityIntegrity(path: path) == "ok")
        let stored = try sandbox.reliabilityRows("SELECT subject FROM ticket ORDER BY id", path: path).compactMap { $0["subject"] as? String }
        #expect(stored == ["first"] + created)
        // And reads still work on the full disk
        let read = try sandbox.run(["ticket", "list", "--json"], environment: env)
        #expect(read.status == 0, "\(read)")
        // And once there is room again, writing works
        #expect(Self.shell("mount -o remount,size=4m '\(mount)'") == 0)
        let after = try sandbox.run(["ticket", "create", "--subject", "after", "--category", "bug-report", "--message", "m"], environment: env)
        #expect(after.status == 0, "\(after)")
        #expect(try sandbox.reliabilityIntegrity(path: path) == "ok")
        ReliabilityFigures.report("db-fault-disk-full", ["created-before-full": created.count, "exit": Int(full.status), "lost": 0])
    }

    @Test func fileSizeLimitMidWriteIsReportedNotFatal() throws {
        // Given a database and a shell whose file size limit (ulimit -f, 512-byte blocks) is near its size
        let sandbox = try Self.populated()
        let size = (try FileManager.default.attributesOfItem(atPath: sandbox.dbPath + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        let blocks = max(size, (try FileManager.default.attributesOfItem(atPath: sandbox.dbPath)[.size] as? NSNumber)?.intValue ?? 0) / 512 + 8
        let stdin = sandbox.directory.appendingPathComponent("big.txt").path
        try Data((0..<65_000).map { UInt8(ascii: "a") + UInt8($0 % 26) }).write(to: URL(fileURLWithPath: stdin))
        // When a write goes past the limit
        let result = try sandbox.shell("""
            ulimit -f \(blocks)
            i=0; while [ $i -lt 20 ]; do
                "$SUPPORT" ticket create --subject "big $i" --category bug-report --message - < "\(stdin)" >/dev/null 2>"$ERR"
                rc=$?; [ $rc -ne 0 ] && { echo $i; exit $rc; }
                i=$((i + 1))
            done
            """, environment: ["ERR": sandbox.directory.appendingPathComponent("err").path])
        let err = (try? String(contentsOfFile: sandbox.directory.appendingPathComponent("err").path, encoding: .utf8)) ?? ""
        // Then support is not killed by SIGXFSZ: it exits 74 with one line that says what to check
        #expect(result.status == 74, "exit \(result.status): \(err)")
        #expect(err.hasPrefix("support: ") && err.contains("file size limit") && err.split(separator: "\n").count == 1, "\(err)")
        // And the file is sound, holding exactly the tickets whose create exited 0
        let succeeded = Int(result.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(try sandbox.reliabilityIntegrity() == "ok")
        #expect(try sandbox.reliabilityCount("SELECT count(*) FROM ticket WHERE subject LIKE 'big %'") == succeeded)
        // And the next command (without the limit) works
        #expect(try sandbox.run(Self.write).status == 0)
        ReliabilityFigures.report("db-fault-file-size-limit", ["exit": Int(result.status), "signal": 0])
    }
}
