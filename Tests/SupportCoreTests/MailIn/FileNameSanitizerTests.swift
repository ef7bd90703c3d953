import Testing

@testable import SupportCore

@Suite("MailIn: attachment file names")
struct FileNameSanitizerTests {
    @Test(arguments: [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("C:\\Users\\x\\report.docx", "report.docx"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT1.log", "_LPT1.log"),
        ("COM9", "_COM9"),
        ("CONTRACT.pdf", "CONTRACT.pdf"),
        ("..", "attachment.pdf"),
        ("", "attachment.pdf"),
        ("   ", "attachment.pdf"),
        (".bashrc", "bashrc"),
        ("a\r\nb\u{0}c.txt", "a__b_c.txt"),
        ("what?<is>this*.txt", "what__is_this_.txt"),
        ("name. . .", "name"),
        ("=?utf-8?q?R=C3=A9sum=C3=A9.pdf?=", "Résumé.pdf"),
        ("evil\u{202E}fdp.exe", "evil_fdp.exe"),
    ])
    func namesAreMadeSafe(declared: String, expected: String) {
        #expect(FileNameSanitizer.sanitise(declared, mediaType: "application/pdf") == expected)
    }

    @Test func longNamesKeepTheirExtensionWithin255Bytes() {
        let name = String(repeating: "ü", count: 300) + ".pdf"
        let safe = FileNameSanitizer.sanitise(name, mediaType: "application/pdf")
        #expect(safe.utf8.count <= 255)
        #expect(safe.hasSuffix("ü.pdf"))
    }

    @Test func noNameGivesOneFromTheType() {
        #expect(FileNameSanitizer.sanitise(nil, mediaType: "image/png") == "attachment.png")
        #expect(FileNameSanitizer.sanitise(nil, mediaType: "application/x-unknown") == "attachment")
    }

    @Test func hostileNamesThroughTheParser() throws {
        let message = try InboundMail.parse(mail("""
            From: a@x.example
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            hi
            --b
            Content-Type: application/octet-stream; name="../../etc/passwd"

            root:x:0:0
            --b
            Content-Type: application/octet-stream
            Content-Disposition: attachment; filename=CON

            x
            --b--
            """))
        #expect(message.attachments.map(\.fileName) == ["passwd", "_CON"])
    }
}
