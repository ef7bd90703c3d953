import Foundation
import Testing

/// Attachments end to end: kept from incoming mail, listed, fetched, added with `--attach`, and
/// mailed out as MIME parts that Python's `email` reads back byte for byte.
@Suite("attachments (CLI)")
struct AttachmentCommandTests {
    /// A message with a text body and one base64 file part named `name`.
    static func mailWithFile(_ data: [UInt8], name: String, from: String = "Jane Doe <jane@cust.example>",
                             subject: String = "Printer jammed", id: String = UUID().uuidString + "@cust.example") -> Data {
        let encoded = Data(data).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        return Data("""
            From: \(from)
            To: help@desk.test
            Subject: \(subject)
            Message-ID: <\(id)>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain; charset=utf-8

            See the file.
            --b1
            Content-Type: application/pdf; name="x.pdf"
            Content-Disposition: attachment; filename="\(name)"
            Content-Transfer-Encoding: base64

            \(encoded)
            --b1--

            """.utf8)
    }

    static func sha256(_ data: [UInt8], in sandbox: Sandbox) throws -> String {
        let file = sandbox.directory.appendingPathComponent("digest-\(UUID().uuidString)")
        try Data(data).write(to: file)
        let result = try sandbox.shell("sha256sum '\(file.path)' | cut -c1-64")
        return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func attachments(_ ticket: [String: Any]) throws -> [[String: Any]] {
        try #require(ticket["attachments"] as? [[String: Any]])
    }

    @Test(arguments: Engine.available) func aFileThatCameByMailIsListedAndFetchedByteForByteAndStoredOnce(engine: Engine) throws {
        // Given a desk and a PDF-like file of 300 kB with every byte value
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "support_email", "help@desk.test"])
        let data = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        // When two messages carry the same file under a hostile name, the second a reply
        try sandbox.succeed(["mail", "ingest"], stdin: Self.mailWithFile(data, name: "../../etc/passwd"))
        try sandbox.succeed(["mail", "ingest"], stdin: Self.mailWithFile(data, name: "CON", subject: "Re: [\(Sandbox.number(1))] Printer jammed"))
        // Then the ticket lists both, named safely, with type, size and SHA-256
        let ticket = try sandbox.ticket(Sandbox.number(1))
        let files = try attachments(ticket)
        try #require(files.count == 2, "\(files)")
        let digest = try Self.sha256(data, in: sandbox)
        #expect(files.map { $0["fileName"] as? String } == ["passwd", "_CON"])
        #expect(files.allSatisfy { $0["size"] as? Int == data.count && $0["sha256"] as? String == digest && $0["contentType"] as? String == "application/pdf" })
        #expect(files[0]["responseId"] is NSNull && files[1]["responseId"] as? Int != nil)
        // And the content is stored once
        #expect(try sandbox.count("attachment_content") == 1)
        // And `attachment get` writes exactly those bytes, to stdout or a file
        let id = try #require(files[0]["id"] as? Int)
        #expect(try sandbox.succeed(["attachment", "get", String(id)]).stdout == Data(data))
        let out = sandbox.directory.appendingPathComponent("out.pdf")
        try sandbox.succeed(["attachment", "get", String(id), "--output", out.path])
        #expect(try Data(contentsOf: out) == Data(data))
        // And the terminal view names them under the message they came with
        let shown = try sandbox.succeed(["ticket", "show", Sandbox.number(1)]).out
        #expect(shown.contains("attachment \(id): passwd (application/pdf, 300.0 kB)"), "\(shown)")
    }

    @Test(arguments: Engine.available) func getNeverOverwritesWithoutForceNorWritesThroughASymlink(engine: Engine) throws {
        // Given an attachment and a symlink at the output path pointing at a file of ours
        let sandbox = try Sandbox(engine: engine)
        let file = sandbox.directory.appendingPathComponent("notes.txt")
        try Data("hello\n".utf8).write(to: file)
        try sandbox.succeed(["ticket", "create", "--subject", "S", "--category", "bug-report", "--message", "m", "--attach", file.path])
        let victim = sandbox.directory.appendingPathComponent("victim")
        try Data("keep me".utf8).write(to: victim)
        let link = sandbox.directory.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: victim)
        // When it is fetched to the symlink, without and with --force
        let refused = try sandbox.run(["attachment", "get", "1", "--output", link.path])
        let forced = try sandbox.run(["attachment", "get", "1", "--output", link.path, "--force"])
        // Then without --force nothing is written (65); with it the link itself is replaced,
        // and the file it pointed at is untouched
        #expect(refused.status == 65 && refused.err.contains("--force"), "\(refused)")
        #expect(forced.status == 0, "\(forced)")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "keep me")
        #expect(try String(contentsOf: link, encoding: .utf8) == "hello\n")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == nil, "the link was replaced by a file")
        // And an existing plain file is kept without --force; an unknown id is 66 and leaves nothing
        #expect(try sandbox.run(["attachment", "get", "1", "--output", victim.path]).status == 65)
        #expect(try sandbox.run(["attachment", "get", "9", "--output", sandbox.directory.appendingPathComponent("new").path]).status == 66)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path).filter { $0.hasSuffix(".part") || $0 == "new" }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test(arguments: Engine.available) func aRequesterNeverSeesAnInternalNotesFileNorLearnsItExists(engine: Engine) throws {
        // Given a requester's ticket with a public file and an internal note with another
        let sandbox = try Sandbox(engine: engine)
        let pub = sandbox.directory.appendingPathComponent("public.txt"), secret = sandbox.directory.appendingPathComponent("secret.txt")
        try Data("public\n".utf8).write(to: pub)
        try Data("secret\n".utf8).write(to: secret)
        try sandbox.succeed(["ticket", "create", "--subject", "S", "--category", "bug-report", "--message", "m",
                             "--requester", "jane@example.test", "--attach", pub.path])
        try sandbox.succeed(["respond", Sandbox.number(1), "--internal", "--message", "note", "--attach", secret.path])
        // When the requester looks
        let mine = try sandbox.succeed(["ticket", "show", Sandbox.number(1), "--json"], as: "jane@example.test").json()
        let ticket = try #require(mine["ticket"] as? [String: Any])
        let text = try sandbox.succeed(["ticket", "show", Sandbox.number(1)], as: "jane@example.test").out
        let get = try sandbox.run(["attachment", "get", "2", "--json"], as: "jane@example.test")
        let missing = try sandbox.run(["attachment", "get", "99", "--json"], as: "jane@example.test")
        // Then only the public file is there, and the note's file is "no such attachment" (66,
        // the same answer as an id that does not exist), never 77
        #expect(try attachments(ticket).map { $0["fileName"] as? String } == ["public.txt"])
        #expect(!text.contains("secret.txt"))
        #expect(get.status == 66 && missing.status == 66, "\(get)\n\(missing)")
        #expect(try get.apiError()["error"] as? String == "no attachment 2")
        #expect(try sandbox.succeed(["attachment", "get", "1"], as: "jane@example.test").out == "public\n")
        // And so does the list of her tickets (a page's files are read apart from the page)
        let listed = try sandbox.succeed(["ticket", "list", "--json"], as: "jane@example.test").json()["tickets"] as? [[String: Any]]
        #expect(try attachments(try #require(listed?.first)).map { $0["fileName"] as? String } == ["public.txt"])
        // And staff see both, in the ticket and in the list
        #expect(try attachments(sandbox.ticket(Sandbox.number(1))).count == 2)
        let staffList = try sandbox.succeed(["ticket", "list", "--json"]).json()["tickets"] as? [[String: Any]]
        #expect(try attachments(try #require(staffList?.first)).map { $0["fileName"] as? String } == ["public.txt", "secret.txt"])
    }

    @Test(arguments: Engine.available) func attachLimitsAreClearErrorsThatChangeNothing(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        try sandbox.succeed(["settings", "set", "attachment_max_bytes", "1000"])
        try sandbox.succeed(["settings", "set", "attachment_max_total_bytes", "1500"])
        let big = sandbox.directory.appendingPathComponent("big.bin"), small = sandbox.directory.appendingPathComponent("small.bin")
        try Data(repeating: 7, count: 1001).write(to: big)
        try Data(repeating: 8, count: 800).write(to: small)
        let tooBig = try sandbox.run(["ticket", "create", "--subject", "S", "--category", "bug-report", "--message", "m", "--attach", big.path])
        let tooMany = try sandbox.run(["ticket", "create", "--subject", "S", "--category", "bug-report", "--message", "m",
                                       "--attach", small.path, "--attach", small.path])
        let absent = try sandbox.run(["ticket", "create", "--subject", "S", "--category", "bug-report", "--message", "m",
                                      "--attach", sandbox.directory.appendingPathComponent("nope").path])
        let directory = try sandbox.run(["ticket", "create", "--subject", "S", "--category", "bug-report", "--message", "m",
                                         "--attach", sandbox.directory.path])
        #expect(tooBig.status == 65 && tooBig.err.contains("attachment_max_bytes"), "\(tooBig)")
        #expect(tooMany.status == 65 && tooMany.err.contains("attachment_max_total_bytes"), "\(tooMany)")
        #expect(absent.status == 66, "\(absent)")
        #expect(directory.status == 65, "\(directory)")
        #expect(try sandbox.succeed(["ticket", "list", "--json"]).json()["tickets"].map { ($0 as? [Any])?.count } == 0)
    }

    @Test(arguments: Engine.available) func aReplysFilesGoOutAsMIMEPartsThatPythonReadsBack(engine: Engine) throws {
        // Given mail on through msmtp to a receiver, and a requester's ticket
        let sandbox = try Sandbox(engine: engine)
        let sink = try SMTPSink(in: sandbox)
        defer { sink.stop() }
        try sandbox.enableMail()
        try sandbox.succeed(["ticket", "create", "--subject", "S", "--category", "bug-report", "--message", "m",
                             "--requester", "jane@example.test"])
        let binary = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let pdf = sandbox.directory.appendingPathComponent("Rechnung März 2026 — final.pdf")
        try Data(binary).write(to: pdf)
        let note = sandbox.directory.appendingPathComponent("notes.txt")
        try Data("line one\n=_support-mixed_= is not a boundary here\n".utf8).write(to: note)
        // When staff reply with two files, and the outbox is flushed
        try sandbox.succeed(["respond", Sandbox.number(1), "--message", "See attached.", "--attach", pdf.path, "--attach", note.path])
        try sandbox.succeed(["respond", Sandbox.number(1), "--internal", "--message", "x", "--attach", note.path])
        let flush = try sandbox.flush(sink.sendmail)
        try #require(flush.status == 0, "\(flush)")
        // Then the requester's mail is multipart/mixed with both files, names and bytes exact
        let python = try MailTools.python.get()
        let read = try sandbox.shell("'\(python)' '\(MailTools.script("read_attachments.py"))' '\(sink.messages.path)'")
        try #require(read.status == 0, "\(read)")
        let messages = try #require(try read.json()["messages"] as? [[String: Any]])
        let withFiles = messages.filter { ($0["attachments"] as? [Any])?.isEmpty == false }
        try #require(withFiles.count == 1, "\(messages)")
        let mail = withFiles[0]
        #expect(mail["content_type"] as? String == "multipart/mixed")
        #expect((mail["body"] as? String)?.contains("See attached.") == true)
        #expect((mail["defects"] as? [Any])?.isEmpty == true, "\(mail)")
        let files = try #require(mail["attachments"] as? [[String: Any]])
        #expect(files.map { $0["filename"] as? String } == ["Rechnung März 2026 — final.pdf", "notes.txt"])
        #expect(files.map { $0["content_type"] as? String } == ["application/pdf", "text/plain"])
        #expect(files[0]["sha256"] as? String == (try Self.sha256(binary, in: sandbox)) && files[0]["size"] as? Int == binary.count)
        #expect(files[1]["sha256"] as? String == (try Self.sha256(Array("line one\n=_support-mixed_= is not a boundary here\n".utf8), in: sandbox)))
        #expect(files.allSatisfy { $0["transfer_encoding"] as? String == "base64" })
        // And no other message (the new-ticket notice) carries the internal note's file
        #expect(messages.count == 2, "\(messages.map { $0["file"] ?? "" })")
    }
}
