import Foundation
import Testing

/// Attachments through `ticket export` and `ticket import` (issue 12): an export restores every
/// file with its content, checked against its SHA-256, stored once, within the size settings.
@Suite("ticket export and import: attachments")
struct AttachmentTransferTests {
    static let sam = "sam@desk.test"
    static let jane = "jane@cust.example"

    /// Bytes of every value, different for each `seed`.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    func write(_ data: [UInt8], _ name: String, in sandbox: Sandbox) throws -> String {
        let url = sandbox.directory.appendingPathComponent(name)
        try Data(data).write(to: url)
        return url.path
    }

    func count(_ table: String, in sandbox: Sandbox) throws -> String {
        String(try sandbox.count(table))
    }

    /// The export's lines without what a new file numbers anew (the attachments' ids).
    func comparable(_ lines: [[String: Any]]) -> [NSDictionary] {
        lines.map { line in
            var line = line
            line["attachments"] = (line["attachments"] as? [[String: Any]] ?? []).map { file in
                var file = file
                file["id"] = nil
                return file
            }
            return line as NSDictionary
        }
    }

    @Test(arguments: Engine.available) func anExportImportedIntoANewFileGivesBackEveryFileByteForByteStoredOnce(engine: Engine) throws {
        // Given a desk whose ticket has two files of its own, a note with a file and a reply
        // carrying the same content as the note's (one content stored twice over)
        let desk = try Sandbox(engine: engine)
        try desk.succeed(["user", "add", Self.sam, "--name", "Sam Staff", "--role", "internal"])
        let report = Self.bytes(1_500_001, seed: 1), log = Self.bytes(10, seed: 2), shared = Self.bytes(70_000, seed: 3)
        let created = try desk.createTicket(subject: "Crash with report", extra: [
            "--requester", Self.jane, "--attach", try write(report, "report.bin", in: desk), "--attach", try write(log, "app.log", in: desk)])
        let number = try #require(created["ticketNumber"] as? String)
        try desk.succeed(["respond", number, "--internal", "--message", "Looked at it.", "--attach", try write(shared, "trace.txt", in: desk)], as: Self.sam)
        try desk.succeed(["respond", number, "--no-notify", "--message", "Fixed.", "--attach", try write(shared, "trace-copy.txt", in: desk)], as: Self.sam)
        try desk.createTicket(subject: "No files", extra: ["--requester", Self.jane])

        // When it is exported and imported into a new file
        let exported = try desk.export()
        let files = try #require(exported.lines.first?["attachments"] as? [[String: Any]])
        try #require(files.count == 4, "\(files)")
        #expect(files.allSatisfy { $0["content"] is String && $0["sha256"] is String && $0["size"] is Int })
        let restored = try Sandbox(engine: engine)
        let imported = try restored.succeed(["ticket", "import", "--json"], stdin: exported.bytes)
        #expect(try imported.json()["imported"] as? Int == 2, "\(imported)")

        // Then every file comes back with its bytes, its reply and its note-ness
        let shown = try #require(try restored.ticket(number)["attachments"] as? [[String: Any]])
        try #require(shown.count == 4, "\(shown)")
        for (file, data) in zip(shown, [report, log, shared, shared]) {
            let id = try #require(file["id"] as? Int)
            #expect(try restored.succeed(["attachment", "get", String(id)]).stdout == Data(data), "\(file)")
        }
        #expect(shown.map { $0["fileName"] as? String } == ["report.bin", "app.log", "trace.txt", "trace-copy.txt"])
        #expect(shown.map { $0["isInternal"] as? Bool } == [false, false, true, false])
        // And identical content is stored once
        #expect(try count("attachment_content", in: restored) == "3")
        // And the new file exports what the old one did (but for the attachments' own ids)
        #expect(comparable(try restored.export().lines) == comparable(exported.lines))
        // And a requester's export of it names neither the note nor its file
        let own = try #require(try restored.export(as: Self.jane).lines.first)
        #expect((own["attachments"] as? [[String: Any]])?.map { $0["fileName"] as? String } == ["report.bin", "app.log", "trace-copy.txt"])
        #expect((own["attachments"] as? [[String: Any]])?.last?["responseId"] as? Int == 1, "the reply's number as the requester sees it")
    }

    /// A line of `exported` with its first file changed by `edit`.
    func line(_ exported: [String: Any], _ edit: (inout [String: Any]) -> Void) throws -> String {
        var line = exported
        var files = try #require(line["attachments"] as? [[String: Any]])
        edit(&files[0])
        line["attachments"] = files
        line["ticketNumber"] = nil
        return String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self)
    }

    @Test(arguments: Engine.available) func aFileThatDoesNotMatchItsDigestOrTheLimitsRefusesItsLineAlone(engine: Engine) throws {
        // Given an exported ticket with one file, and a desk that keeps files of up to 64 KiB
        let desk = try Sandbox(engine: engine)
        let data = Self.bytes(5_000, seed: 4)
        try desk.createTicket(subject: "Screenshot", extra: ["--attach", try write(data, "shot.png", in: desk)])
        let original = try #require(try desk.export().lines.first)
        let target = try Sandbox(engine: engine)
        try target.succeed(["settings", "set", "mail_max_bytes", "65536"])
        try target.succeed(["settings", "set", "attachment_max_bytes", "1000"])
        try target.succeed(["settings", "set", "attachment_max_total_bytes", "1000"])
        let content = try #require((original["attachments"] as? [[String: Any]])?.first?["content"] as? String)
        var flipped = Array(Data(base64Encoded: content)!)
        flipped[100] ^= 1
        let big = Self.bytes(65_537, seed: 5)
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("does not match its sha256", { $0["content"] = Data(flipped).base64EncodedString() }),
            ("is not base64", { $0["content"] = "not base64!" }),
            ("no reply 7 in this line", { $0["responseId"] = 7 }),
            ("a file may have 65536", { $0["content"] = Data(big).base64EncodedString() }),
            ("missing sha256", { $0["sha256"] = nil }),
        ]
        // When a file holds a good line and then one broken line per way a file can be wrong
        var lines = [try line(original) { _ in }]
        for (_, edit) in cases { lines.append(try line(original, edit)) }
        let result = try target.run(["ticket", "import"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))

        // Then the import exits 65, naming each broken line by its number and what is wrong
        #expect(result.status == 65, "\(result)")
        for (index, (why, _)) in cases.enumerated() {
            #expect(result.err.contains("line \(index + 2): ") && result.err.split(separator: "\n")[index].contains(why), "\(why)\n\(result)")
        }
        // And only the good line is stored, with its one file
        #expect(try count("ticket", in: target) == "1")
        #expect(try count("attachment", in: target) == "1")
        #expect(try count("attachment_content", in: target) == "1")
        #expect(try target.succeed(["attachment", "get", "1"]).stdout == Data(data))
    }

    @Test(arguments: Engine.available) func twoFilesOfOneMessageOverTheTotalAreRefused(engine: Engine) throws {
        // Given a ticket with two files of 40,000 bytes, and a desk that keeps 65,536 per message
        let desk = try Sandbox(engine: engine)
        try desk.createTicket(subject: "Two files", extra: [
            "--attach", try write(Self.bytes(40_000, seed: 6), "a.bin", in: desk), "--attach", try write(Self.bytes(40_000, seed: 7), "b.bin", in: desk)])
        let exported = try desk.export()
        let target = try Sandbox(engine: engine)
        try target.succeed(["settings", "set", "mail_max_bytes", "65536"])
        try target.succeed(["settings", "set", "attachment_max_total_bytes", "1000"])
        // When it is imported
        let result = try target.run(["ticket", "import"], stdin: exported.bytes)
        // Then the line is refused whole: no ticket, no file
        #expect(result.status == 65, "\(result)")
        #expect(result.err.contains("line 1: attachments[1]: the files of one message come to more than 65536 bytes"), "\(result)")
        #expect(try count("ticket", in: target) == "0")
        #expect(try count("attachment_content", in: target) == "0")
    }
}
