import Foundation
import Testing

// The parts of the mail chain the end-to-end mail tests run for real: an SMTP receiver
// (Tests/mail/smtp_sink.py, aiosmtpd) on 127.0.0.1, msmtp with a private config pointed at
// it, fake mail programs (Tests/mail/fake_sendmail.sh), and a reader that parses what arrived
// with Python's `email` package (Tests/mail/read_sink.py) and prints JSON.

/// Where the Python and shell helpers live, and the programs that run them.
enum MailTools {
    /// `Tests/mail`, found from this source file.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Mail
        .deletingLastPathComponent()  // SupportCLITests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("mail", isDirectory: true)

    static func script(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static var fakeSendmail: String { script("fake_sendmail.sh") }

    /// A python3 that can import aiosmtpd: `MAIL_TEST_PYTHON`, else the first `python3` on the
    /// test's own PATH (resolved to its real executable, so that it also runs under the clean
    /// environment the binary gets).
    static let python: Result<String, CLIError> = locatePython()

    /// msmtp, by absolute path.
    static let msmtp: Result<String, CLIError> = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let path = "\(dir)/msmtp"
            if FileManager.default.isExecutableFile(atPath: path) { return .success(path) }
        }
        return .failure(CLIError(description: "msmtp is not installed (apt-get install msmtp; .ci/run does it)"))
    }()

    private static func locatePython() -> Result<String, CLIError> {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["MAIL_TEST_PYTHON"], !explicit.isEmpty { return .success(explicit) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import aiosmtpd, sys; print(sys.executable)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(CLIError(description: "cannot run python3: \(error)"))
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !path.isEmpty else {
            return .failure(CLIError(description: "python3 with aiosmtpd not found (pip install aiosmtpd; .ci/run does it), or set MAIL_TEST_PYTHON"))
        }
        return .success(path)
    }

    /// Runs a helper script with python and waits for it.
    static func runPython(_ arguments: [String], in sandbox: Sandbox, timeout: TimeInterval = 60) throws -> CLIResult {
        let python = try python.get()
        let command = try RunningCommand(executable: URL(fileURLWithPath: python), arguments: arguments,
                                         environment: ProcessInfo.processInfo.environment, stdin: nil,
                                         directory: sandbox.directory, scratch: sandbox.scratch)
        return try command.wait(timeout: timeout)
    }

    /// What arrived in `directories`, parsed by Python's `email` (policy.default).
    static func received(_ directories: [URL], brief: Bool = false, in sandbox: Sandbox,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> [ReceivedMail] {
        let result = try runPython([script("read_sink.py")] + (brief ? ["--brief"] : []) + directories.map(\.path), in: sandbox)
        try #require(result.status == 0, "read_sink.py failed: \(result)", sourceLocation: sourceLocation)
        return try JSONDecoder().decode(ReceivedList.self, from: result.stdout).messages
    }
}

/// One message as read_sink.py saw it.
struct ReceivedMail: Decodable, Sendable {
    struct Mailbox: Decodable, Sendable, Equatable {
        var name: String
        var email: String
    }

    var file: String
    var mailFrom: String?
    var rcptTos: [String]
    var sha256: String
    var messageID: String?
    var inReplyTo: String?
    var references: String?
    var headerNames: [String]?
    var headerCount: [String: Int]?
    var subject: String?
    var body: String?
    var from: [Mailbox]?
    var to: [Mailbox]?
    var replyTo: [Mailbox]?
    var autoSubmitted: String?
    var contentType: String?
    var charset: String?
    var transferEncoding: String?
    var defects: [String]?
    var maxLine: Int?
    var eightBit: Bool?
    var nul: Bool?
    var bareCR: Bool?

    enum CodingKeys: String, CodingKey {
        case file, sha256, subject, body, from, to, charset, defects, nul
        case mailFrom = "mail_from", rcptTos = "rcpt_tos", messageID = "message_id", inReplyTo = "in_reply_to"
        case references, headerNames = "header_names", headerCount = "header_count", replyTo = "reply_to"
        case autoSubmitted = "auto_submitted", contentType = "content_type", transferEncoding = "transfer_encoding"
        case maxLine = "max_line", eightBit = "eight_bit", bareCR = "bare_cr"
    }

    /// The Message-ID without its angle brackets.
    var bareMessageID: String? {
        messageID.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "<>")) }
    }
}

private struct ReceivedList: Decodable {
    var messages: [ReceivedMail]
}

/// The headers `MessageComposer` writes (and nothing else may appear).
let composerHeaders: Set<String> = [
    "date", "from", "to", "reply-to", "subject", "message-id", "in-reply-to", "references",
    "mime-version", "content-type", "content-transfer-encoding", "auto-submitted", "x-loop",
]

/// An SMTP receiver on 127.0.0.1 (a free port the system picked) with an msmtp config for it.
/// Stopped by its process id in `stop()` or, whatever happens in the test, in `deinit`.
final class SMTPSink: @unchecked Sendable {
    enum Mode: String, Sendable {
        case normal
        /// Accepts connections and never answers.
        case silent
        /// Closes every connection at once.
        case hangup
        /// Takes the message and hangs up instead of answering the final dot.
        case hangupAfterData = "hangup-after-data"
    }

    /// Where received messages are saved.
    let messages: URL
    let port: Int
    /// The private msmtp config (mode 0600) that relays to this receiver.
    let msmtprc: URL
    let msmtpLog: URL
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// `msmtpTimeout`: msmtp's `timeout` (seconds), short for a receiver that never answers.
    init(in sandbox: Sandbox, mode: Mode = .normal, msmtpTimeout: Int = 10,
         sourceLocation: SourceLocation = #_sourceLocation) throws {
        let python = try MailTools.python.get()
        let msmtp = try MailTools.msmtp.get()
        let base = sandbox.directory.appendingPathComponent("sink-\(UUID().uuidString.prefix(8))", isDirectory: true)
        messages = base.appendingPathComponent("messages", isDirectory: true)
        try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)
        let portFile = base.appendingPathComponent("port")
        let logURL = base.appendingPathComponent("sink.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [MailTools.script("smtp_sink.py"), "--dir", messages.path, "--port-file", portFile.path,
                             "--mode", mode.rawValue]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()

        // Wait until it listens (the port file is written after bind and listen).
        let deadline = Date().addingTimeInterval(20)
        var found: Int?
        while Date() < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                found = value
                break
            }
            if !process.isRunning { break }
            usleep(10_000)
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            throw CLIError(description: "the SMTP receiver did not start: \(output.suffix(2000))")
        }
        port = found

        msmtpLog = base.appendingPathComponent("msmtp.log")
        msmtprc = base.appendingPathComponent("msmtprc")
        let config = """
            defaults
            auth off
            tls off
            syslog off
            logfile \(msmtpLog.path)
            account sink
            host 127.0.0.1
            port \(port)
            from sender@example.test
            timeout \(msmtpTimeout)
            account default : sink

            """
        // msmtp refuses a config others can read.
        guard FileManager.default.createFile(atPath: msmtprc.path, contents: Data(config.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError(description: "cannot write \(msmtprc.path)")
        }
        _ = msmtp
    }

    deinit { stop() }

    /// The mail command for `--sendmail` / `sendmail_command`.
    var sendmail: String {
        "\((try? MailTools.msmtp.get()) ?? "msmtp") -C \(msmtprc.path) -i"
    }

    /// Stops the receiver (SIGTERM, then SIGKILL if it lingers). Safe to call twice.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        let pid = process.processIdentifier
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    func received(brief: Bool = false, in sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws -> [ReceivedMail] {
        try MailTools.received([messages], brief: brief, in: sandbox, sourceLocation: sourceLocation)
    }
}

extension Sandbox {
    static let supportAddress = "help@example.test"

    /// Turns mail on: `support_email` (and optionally the auto-response).
    func enableMail(autoResponse: Bool = false, extra: [(String, String)] = []) throws {
        try mapLoginToDeskAgent()
        try succeed(["settings", "set", "support_email", Self.supportAddress])
        if autoResponse { try succeed(["settings", "set", "support_auto_response", "true"]) }
        for (key, value) in extra { try succeed(["settings", "set", key, value]) }
    }

    /// `notify flush` with `--sendmail COMMAND` (`--json` for a parsable summary).
    func flush(_ sendmail: String, _ extra: [String] = [], timeout: TimeInterval = 120) throws -> CLIResult {
        let result = try launch(["notify", "flush", "--json", "--sendmail", sendmail] + extra).wait(timeout: timeout)
        #expect(!result.signaled, "support notify flush died of a signal: \(result)")
        return result
    }

    /// `notify list --json` as dictionaries, oldest first.
    func outbox(status: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let result = try succeed(["notify", "list", "--json"] + (status.map { ["--status", $0] } ?? []), sourceLocation: sourceLocation)
        let messages = try #require(try result.json()["messages"] as? [[String: Any]], sourceLocation: sourceLocation)
        return messages.sorted { ($0["id"] as? Int ?? 0) < ($1["id"] as? Int ?? 0) }
    }

    /// Makes every pending message due now, as if its back-off had passed (the test's clock jump).
    func makePendingMailDue(sourceLocation: SourceLocation = #_sourceLocation) throws {
        if let postgres {
            try postgres.sql("UPDATE outbox SET nextAttemptAt = '2000-01-01 00:00:00+00' WHERE status = 'pending'")
            return
        }
        let result = try shell("""
            sqlite3 "$SUPPORT_DB" "UPDATE outbox SET nextAttemptAt = '2000-01-01 00:00:00.000' WHERE status = 'pending'"
            """)
        try #require(result.status == 0, "sqlite3 failed: \(result)", sourceLocation: sourceLocation)
    }

    /// Writes an executable script into the sandbox and returns its path.
    func writeScript(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    /// A fresh directory inside the sandbox.
    func makeDirectory(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension CLIResult {
    /// The `notify flush --json` summary: sent, retried, failed.
    func flushSummary(sourceLocation: SourceLocation = #_sourceLocation) throws -> (sent: Int, retried: Int, failed: Int) {
        let object = try json(sourceLocation: sourceLocation)
        return (object["sent"] as? Int ?? -1, object["retried"] as? Int ?? -1, object["failed"] as? Int ?? -1)
    }
}

/// The ticket tag the subject carries, `[ST-2026-001]`.
func ticketTag(in subject: String) -> String? {
    guard let range = subject.range(of: #"\[ST-[0-9]{4}-[0-9]{3,}\]"#, options: .regularExpression) else { return nil }
    return String(subject[range])
}
