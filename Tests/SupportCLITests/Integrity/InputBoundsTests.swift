import Foundation
import Testing

/// Input that is read whole before it is judged: a byte-order mark, a line without end, a
/// settings file without end. Each is bounded and refused with a line-numbered or clear error.
@Suite("input bounds: byte-order marks, line length, settings files")
struct InputBoundsTests {
    static func line(_ subject: String) -> String {
        ImportEdgeTests.line(subject, replyIDs: [nil])
    }

    @Test(arguments: ["stdin", "file"], Engine.available)
    func aByteOrderMarkAtTheStartIsAccepted(source: String, engine: Engine) throws {
        // Given an import file that starts with a UTF-8 byte-order mark (CRLF line ends too)
        let sandbox = try Sandbox(engine: engine)
        let bytes = Data([0xEF, 0xBB, 0xBF]) + Data((Self.line("first") + "\r\n" + Self.line("second") + "\r\n").utf8)
        let path = sandbox.directory.appendingPathComponent("bom.ndjson").path
        try bytes.write(to: URL(fileURLWithPath: path))
        // When it is imported
        let result = source == "stdin" ? try sandbox.run(["ticket", "import", "--json"], stdin: bytes)
            : try sandbox.run(["ticket", "import", "--json", "--file", path])
        // Then both lines go in
        #expect(result.status == 0, "\(result)")
        #expect(try result.json()["imported"] as? Int == 2)
    }

    @Test(arguments: Engine.available) func aMarkAnywhereElseIsStillRefused(engine: Engine) throws {
        let sandbox = try Sandbox(engine: engine)
        let bytes = Data((Self.line("first") + "\n").utf8) + Data([0xEF, 0xBB, 0xBF]) + Data((Self.line("second") + "\n").utf8)
        let result = try sandbox.run(["ticket", "import"], stdin: bytes)
        #expect(result.status == 65, "\(result)")
        #expect(result.err.contains("line 2:"), "\(result.err)")
    }

    @Test(arguments: [
        // (where the long line is, whether the file ends with a newline)
        (2, true), (3, false), (1, true),
    ], Engine.available)
    func aLineOverTheLimitIsRefusedWithItsNumber(_ c: (longAt: Int, finalNewline: Bool), engine: Engine) throws {
        let (longAt, finalNewline) = c
        // Given a limit of 4 KiB and a file whose line `longAt` is 64 KiB
        let sandbox = try Sandbox(engine: engine)
        var lines = (1...3).map { Self.line("ticket \($0)") }
        lines[longAt - 1] = Self.line("long " + String(repeating: "x", count: 65_536))
        let text = lines.joined(separator: "\n") + (finalNewline ? "\n" : "")
        // When it is imported
        let result = try sandbox.run(["ticket", "import", "--json"], stdin: Data(text.utf8),
                                     environment: ["SUPPORT_IMPORT_MAX_LINE_BYTES": "4096"])
        // Then that line is refused with its number, the others imported
        #expect(result.status == 65, "\(result)")
        let errors = try #require(try result.json()["errors"] as? [[String: Any]])
        #expect(errors.map { $0["line"] as? Int } == [longAt], "\(result.err)")
        #expect((errors.first?["error"] as? String)?.contains("longer than 4096 bytes") == true)
        #expect(try result.json()["imported"] as? Int == 2)
    }

    @Test(arguments: Engine.available) func aLineOfManyChunksIsReadOnceAndKept(engine: Engine) throws {
        // Given a line of several MiB (several reads of the file), within the default limit
        let sandbox = try Sandbox(engine: engine)
        let long = Self.line("long").replacingOccurrences(of: "\"message\":\"m\"", with: "\"message\":\"\(String(repeating: "y", count: 60_000))\"")
        var object = try JSON.object(Data(long.utf8))
        object["responses"] = (0..<60).map { _ in
            ["message": String(repeating: "z", count: 60_000), "respondedBy": ["email": "sam@example.test", "role": "internal"],
             "createdAt": "2026-03-01T10:00:00.000Z"] as [String: Any]
        }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n" + Self.line("after") + "\n"
        // When it is imported
        let result = try sandbox.run(["ticket", "import", "--json"], stdin: Data(text.utf8))
        // Then both tickets went in whole
        #expect(result.status == 0, "\(result)")
        #expect(try result.json()["imported"] as? Int == 2)
        #expect((try sandbox.export().lines.first?["responses"] as? [Any])?.count == 60)
    }

    @Test(arguments: ["support_email_template", "support_name", "sendmail_command"], Engine.available)
    func settingsFromAFileWithoutEndAreRefusedAtTheLimit(key: String, engine: Engine) throws {
        // Given a file that never ends
        let sandbox = try Sandbox(engine: engine)
        // When it is given to `settings set --file`
        let started = Date()
        let result = try sandbox.run(["settings", "set", key, "--file", "/dev/zero"])
        // Then it is refused once the limit is passed, not read for ever
        #expect(result.status == 65, "\(result)")
        #expect(result.err.contains("longer than the limit"), "\(result.err)")
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(try sandbox.succeed(["settings", "get", key]).out.count < 1000)
    }
}
