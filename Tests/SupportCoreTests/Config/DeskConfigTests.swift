import Foundation
import Testing
@testable import SupportCore

/// The config file's grammar: what it takes, and that everything else is refused with exit 78,
/// the file and the line named, and no password quoted. (The file's owner and mode, and the
/// commands that read it, are tested end to end in SupportCLITests/ConfigFileTests.)
@Suite("Config file: the grammar")
struct DeskConfigTests {
    static let file = "/etc/support/config"
    static let secret = "Pw#1 = \"x\" 'y' \\z"

    func parse(_ text: String) throws(SupportError) -> DeskConfig {
        try DeskConfig.parse(Array(text.utf8), file: Self.file)
    }

    /// The refusal's message and exit code, or nil when `text` was taken.
    func refusal(_ bytes: [UInt8]) -> (message: String, code: Int32)? {
        do {
            _ = try DeskConfig.parse(bytes, file: Self.file)
            return nil
        } catch {
            return (error.message, error.exitCode)
        }
    }

    func refusal(_ text: String) -> (message: String, code: Int32)? { refusal(Array(text.utf8)) }

    @Test func aFullPostgresSectionGivesEveryKey() throws {
        // Given every key, comments, blank lines, CRLF line ends and each kind of value
        let text = """
            # the desk\r
            \r
            [postgres]   # on the database host\r
            host = db.internal\r
              port=6543\r
            user = "support"\r
            dbname = 'desk'   # comment\r
            password = 'p=w#rd with spaces'\r
            sslmode = require\r
            connect_timeout = 7\r

            """
        // When it is parsed
        let config = try parse(text)
        // Then each value is what was written, quotes removed
        var expected = PostgresSettings()
        expected.host = "db.internal"
        expected.port = 6543
        expected.user = "support"
        expected.database = "desk"
        expected.password = "p=w#rd with spaces"
        expected.tls = .require
        expected.connectTimeout = 7
        expected.source = Self.file
        #expect(config.desk == .postgres(expected))
        #expect(config.file == Self.file)
    }

    @Test func quotedPasswordsKeepEveryCharacter() throws {
        // Given passwords with '=', '#', spaces, quotes and backslashes
        let cases: [(String, String)] = [
            (#"password = "a \"b\" \\c # d = e""#, #"a "b" \c # d = e"#),
            ("password = 'a \"b\" \\c # d'", "a \"b\" \\c # d"),
            ("password = a=b=c", "a=b=c"),
            ("password = abc   # a comment", "abc"),
            ("password = \tabc\t", "abc"),
        ]
        for (line, password) in cases {
            // When each is parsed
            let config = try parse("[postgres]\n" + line + "\n")
            // Then the password is exactly the one meant
            guard case .postgres(let settings) = config.desk else { Issue.record("\(line): no postgres"); continue }
            #expect(settings.password == password, "\(line)")
            // And the settings never show it
            #expect(!"\(settings)".contains(password))
        }
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstLine() throws {
        let config = try DeskConfig.parse([0xEF, 0xBB, 0xBF] + Array("[sqlite]\npath = /x.db\n".utf8), file: Self.file)
        #expect(config.desk == .sqlite(path: "/x.db"))
        // Anywhere else it is refused, as every invisible character in a line is
        #expect(refusal(Array("[sqlite]\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("path = /x.db\n".utf8))?.message.contains("line 2") == true)
    }

    @Test func anSQLiteSectionNamesTheFile() throws {
        #expect(try parse("[sqlite]\npath = /srv/support/support.db\n").desk == .sqlite(path: "/srv/support/support.db"))
        // A file of comments names no desk: the default file then.
        #expect(try parse("# nothing yet\n\n").desk == nil)
        #expect(try parse("").desk == nil)
    }

    @Test(arguments: [
        // (file text, line named, words the message must have)
        ("[postgres]\nhost = a\n[mysql]\n", 3, "unknown section [mysql]"),
        ("[postgres]\n[postgres]\n", 2, "given twice (first on line 1)"),
        ("[postgres]\nhost = a\nhost = b\n", 3, "'host' is given twice in [postgres] (first on line 2)"),
        ("[postgres]\nhots = a\n", 2, "[postgres] has no key 'hots'"),
        ("host = a\n[postgres]\n", 1, "outside a section"),
        ("[postgres]\nport = 0\n", 2, "port must be a number from 1 to 65535"),
        ("[postgres]\nport = 65536\n", 2, "port must be a number from 1 to 65535"),
        ("[postgres]\nport = 54x\n", 2, "port must be a number from 1 to 65535"),
        ("[postgres]\nport = -1\n", 2, "port must be a number from 1 to 65535"),
        ("[postgres]\nport = ５４３２\n", 2, "port must be a number from 1 to 65535"),
        ("[postgres]\nsslmode = verify-full\n", 2, "sslmode must be disable, prefer or require"),
        ("[postgres]\nconnect_timeout = 9999\n", 2, "connect_timeout must be a number of seconds"),
        ("[postgres]\nhost = a,b\n", 2, "several hosts"),
        ("[postgres]\nhost =\n", 2, "'host' has no value"),
        ("[postgres]\nhost = # none\n", 2, "'host' has no value"),
        ("[postgres]\nhost = \"\"\n", 2, "'host' has no value"),
        ("[postgres]\nhost = \"db\n", 2, "the quoted value of 'host' is not closed"),
        ("[postgres]\nhost = \"db\" x\n", 2, "text after the quoted value"),
        ("[postgres]\nhost = \"d\\nb\"\n", 2, "only \\\" and \\\\ are escapes"),
        ("[postgres]\nhost = db internal\n", 2, "must be quoted"),
        ("[postgres\n", 1, "not closed with ']'"),
        ("[postgres] x\n", 1, "text after the [section]"),
        ("[postgres]\njust words\n", 2, "is not 'key = value'"),
        ("[postgres]\nHost = a\n", 2, "not a key name"),
        ("[sqlite]\n", 1, "[sqlite] needs 'path"),
        ("[sqlite]\npath = support.db\n", 2, "path must be absolute"),
        ("[postgres]\n[sqlite]\npath = /x.db\n", 2, "names one desk"),
        ("[postgres]\nhost = a\rb\n", 2, "control character"),
        ("[postgres]\nhost = a\u{1B}[31m\n", 2, "control character"),
    ] as [(String, Int, String)])
    func aMalformedFileIsRefusedNamingTheLine(text: String, line: Int, words: String) throws {
        // When the file is parsed
        let refused = try #require(refusal(text), "taken: \(text.debugDescription)")
        // Then exit 78, naming the file and the line
        #expect(refused.code == 78)
        #expect(refused.message.hasPrefix("config file \(Self.file), line \(line): "), "\(refused.message)")
        #expect(refused.message.contains(words), "\(refused.message)")
        // And the message is one printable line
        #expect(!refused.message.unicodeScalars.contains { $0.value < 0x20 }, "\(refused.message.debugDescription)")
    }

    @Test func bytesThatAreNotTextAreRefusedNamingTheLine() throws {
        let nul = try #require(refusal(Array("[postgres]\nhost = a".utf8) + [0] + Array("b\n".utf8)))
        #expect(nul.code == 78 && nul.message.contains("line 2: contains a NUL byte"), "\(nul.message)")
        let latin1 = try #require(refusal(Array("[postgres]\n\nuser = ".utf8) + [0xE9] + [0x0A]))
        #expect(latin1.code == 78 && latin1.message.contains("line 3: is not valid UTF-8"), "\(latin1.message)")
    }

    @Test func noRefusalQuotesThePassword() throws {
        // Given files where the password's line, or a line near it, is wrong in every way
        let secret = Self.secret
        let escaped = secret.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let files = [
            "[postgres]\npassword = \"\(escaped)\"\npassword = \"\(escaped)\"\n",  // twice
            "password = \"\(escaped)\"\n",  // outside a section
            "[postgres]\npassword = \(secret)\n",  // unquoted with spaces and quotes
            "[postgres]\n\(secret)\n",  // the password alone on a line
            "[postgres]\n\(secret) = x\n",  // the password as a key
            "[postgres]\npassword = \"\(escaped)\n",  // not closed
            "[postgres]\npassword = \"\(escaped)\" trailing\n",
            "[postgres]\npasswd = \"\(escaped)\"\n",  // a misspelt key
            "[\(secret)]\n",  // the password as a section
            "[sqlite]\npath = /x.db\npassword = \"\(escaped)\"\n",
            "[postgres]\npassword = \"\(escaped)\"\n[sqlite]\npath = /x.db\n",
        ]
        for text in files {
            // When each is parsed
            let refused = try #require(refusal(text), "taken: \(text.debugDescription)")
            // Then it is refused and no part of the password is in the message
            #expect(refused.code == 78)
            for part in ["Pw#1", "\"x\"", "'y'", "\\z"] {
                #expect(!refused.message.contains(part), "\(refused.message)")
            }
        }
    }
}
