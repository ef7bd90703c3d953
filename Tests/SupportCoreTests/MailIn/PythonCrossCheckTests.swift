import Foundation
import Testing

@testable import SupportCore

/// Messages built by Python's `email` package (Tests/mail/make_inbound.py): what this parser reads
/// must be what Python reads back from the same bytes.
@Suite("MailIn: cross-checked with Python's email package")
struct PythonCrossCheckTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("mail/make_inbound.py").path

    static let python: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let path = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    struct Expected: Decodable {
        struct Attachment: Decodable {
            var fileName: String
            var size: Int
            var base64: String
        }
        var file: String
        var subject: String
        var fromName: String
        var fromEmail: String
        var messageID: String
        var text: String
        var attachments: [Attachment]
    }

    @Test(.enabled(if: python != nil, "needs python3"))
    func whatPythonWroteIsReadAsPythonReadsIt() throws {
        // Given messages in 9 charsets with RFC 2047 subjects and names and RFC 2231 file names
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbound-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python!)
        process.arguments = [Self.script, directory.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let expected = try JSONDecoder().decode(
            [Expected].self, from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        #expect(expected.count == 11)
        for want in expected {
            // When each is parsed
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(want.file)))
            let message = try InboundMail.parse(bytes)
            // Then subject, sender, Message-ID, text and attachments agree with Python
            #expect(message.subject == want.subject, "\(want.file)")
            #expect(message.from == [MailAddress(name: want.fromName, email: want.fromEmail)], "\(want.file)")
            #expect(message.messageID == want.messageID, "\(want.file)")
            // (Python keeps the CR LF of the wire in the text; this parser gives lines ended by LF.)
            #expect(message.text == want.text.replacingOccurrences(of: "\r\n", with: "\n"), "\(want.file)")
            // (A `"` is not allowed in Windows file names: the sanitiser makes it `_`.)
            #expect(message.attachments.map(\.fileName) == want.attachments.map { $0.fileName.replacingOccurrences(of: "\"", with: "_") }, "\(want.file)")
            #expect(message.attachments.map(\.data) == want.attachments.map { [UInt8](Data(base64Encoded: $0.base64)!) }, "\(want.file)")
            #expect(message.problems.isEmpty, "\(want.file)")
        }
    }
}
