import Foundation
import Testing

// These end-to-end tests run the real `support` executable. It must be built first:
// `swift build` (or `swift build --build-tests`; `swift test` builds it too) puts it in the
// products directory beside the test bundle. Set SUPPORT_BIN to test another build.

/// What one run of the binary did.
struct CLIResult: Sendable, CustomStringConvertible {
    var status: Int32
    /// True when the process died of a signal (a crash) rather than exiting.
    var signaled: Bool
    var stdout: Data
    var stderr: Data

    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }

    var description: String {
        "exit \(status)\(signaled ? " (signal)" : "")\n--- stdout:\n\(out.prefix(2000))\n--- stderr:\n\(err.prefix(2000))"
    }

    /// stdout as a JSON object.
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        try JSON.object(stdout, sourceLocation: sourceLocation)
    }

    /// stderr as the seed's `APIError` (what `--json` prints on failure).
    func apiError(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let lines = err.split(separator: "\n")
        #expect(lines.count == 1, "an APIError is one line: \(err)", sourceLocation: sourceLocation)
        let object = try JSON.object(stderr, sourceLocation: sourceLocation)
        #expect(Set(object.keys) == ["error", "code", "details"], sourceLocation: sourceLocation)
        #expect((object["error"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        return object
    }
}

enum JSON {
    static func object(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return try #require(value as? [String: Any], "not a JSON object: \(String(decoding: data, as: UTF8.self).prefix(500))",
                            sourceLocation: sourceLocation)
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
}

/// Where the binary under test lives.
enum SupportBinary {
    static let url: Result<URL, CLIError> = locate()

    static func require() throws -> URL {
        try url.get()
    }

    private static func locate() -> Result<URL, CLIError> {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["SUPPORT_BIN"], !explicit.isEmpty {
            return fm.isExecutableFile(atPath: explicit)
                ? .success(URL(fileURLWithPath: explicit))
                : .failure(CLIError(description: "SUPPORT_BIN=\(explicit) is not an executable file"))
        }
        var candidates: [URL] = []
        // The products directory: `swift build` puts `support` beside the test bundle.
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("support"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("support"))
        // The package's own debug build, found from this source file.
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if fm.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                candidates.append(directory.appendingPathComponent(".build/debug/support"))
                break
            }
            directory.deleteLastPathComponent()
        }
        if let found = candidates.first(where: { fm.isExecutableFile(atPath: $0.path) }) {
            return .success(found)
        }
        return .failure(CLIError(description: """
            the support binary was not found (looked at \(candidates.map(\.path).joined(separator: ", "))): \
            run `swift build` before `swift test`, or set SUPPORT_BIN
            """))
    }
}

/// A process started by a test; `wait()` collects what it did.
final class RunningCommand: @unchecked Sendable {
    private let process: Process
    private let finished = DispatchSemaphore(value: 0)
    private let stdoutURL: URL
    private let stderrURL: URL
    private let handles: [FileHandle]
    private let cleanup: [URL]

    init(executable: URL, arguments: [String], environment: [String: String], stdin: Data?, directory: URL, scratch: URL) throws {
        let id = UUID().uuidString
        stdoutURL = scratch.appendingPathComponent("\(id).out")
        stderrURL = scratch.appendingPathComponent("\(id).err")
        let fm = FileManager.default
        // Files, not pipes: nothing can block on a full pipe, however much a command prints.
        fm.createFile(atPath: stdoutURL.path, contents: nil)
        fm.createFile(atPath: stderrURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: stdoutURL)
        let err = try FileHandle(forWritingTo: stderrURL)
        var handles = [out, err]
        var cleanup = [stdoutURL, stderrURL]
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let inURL = scratch.appendingPathComponent("\(id).in")
            fm.createFile(atPath: inURL.path, contents: stdin)
            let input = try FileHandle(forReadingFrom: inURL)
            handles.append(input)
            cleanup.append(inURL)
            process.standardInput = input
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        self.handles = handles
        self.cleanup = cleanup
        // A termination handler and a semaphore: waitUntilExit() costs tens of milliseconds here.
        let finished = self.finished
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
    }

    /// The process id, for tests that signal the process themselves.
    var processIdentifier: Int32 { process.processIdentifier }

    /// Sends `signal` (say SIGKILL) to the process; `wait()` still collects what it did.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    func wait(timeout: TimeInterval = 120) throws -> CLIResult {
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            finished.wait()
            throw CLIError(description: "\(process.arguments ?? []) did not finish within \(Int(timeout)) s")
        }
        for handle in handles { try? handle.close() }
        defer { for url in cleanup { try? FileManager.default.removeItem(at: url) } }
        return CLIResult(
            status: process.terminationStatus,
            signaled: process.terminationReason == .uncaughtSignal,
            stdout: (try? Data(contentsOf: stdoutURL)) ?? Data(),
            stderr: (try? Data(contentsOf: stderrURL)) ?? Data())
    }
}

/// A fresh temporary directory with its own database for one test; removed afterwards.
final class Sandbox: @unchecked Sendable {
    let directory: URL
    let scratch: URL
    let binary: URL
    /// The PostgreSQL database the desk is on, when it is not the sandbox's SQLite file
    /// (`Sandbox(engine: .postgresql)`); dropped with the sandbox.
    let postgres: PostgresTestDatabase?

    init(postgres: PostgresTestDatabase? = nil) throws {
        self.postgres = postgres
        binary = try SupportBinary.require()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("support-cli-\(UUID().uuidString)", isDirectory: true)
        scratch = directory.appendingPathComponent(".io", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("home"), withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    var dbPath: String { directory.appendingPathComponent("support.db").path }

    /// The desk's `--db`: the SQLite file, or the PostgreSQL database's address.
    var desk: String { postgres?.url() ?? dbPath }

    /// What a command needs to reach the PostgreSQL desk beside `--db` (its password).
    var postgresEnvironment: [String: String?] { postgres?.environment ?? [:] }

    /// A clean environment: nothing from the developer's shell (no SUPPORT_AS, no real HOME).
    var baseEnvironment: [String: String] {
        [
            "PATH": "/usr/bin:/bin",
            "HOME": directory.appendingPathComponent("home").path,
            "XDG_DATA_HOME": directory.appendingPathComponent("xdg").path,
            "SUPPORT_DB": desk,
            "NO_COLOR": "1",
            "LC_ALL": "C.UTF-8",
        ].merging(postgresEnvironment.compactMapValues { $0 }) { $1 }
    }

    /// Starts `support` with `arguments`; `as` prepends `--as EMAIL`; `environment` entries
    /// override the base, and a nil value removes a variable.
    func launch(_ arguments: [String], as actor: String? = nil, stdin: Data? = nil,
                environment: [String: String?] = [:], executable: URL? = nil) throws -> RunningCommand {
        var env = baseEnvironment
        for (key, value) in environment { env[key] = value }
        let args = (actor.map { ["--as", $0] } ?? []) + arguments
        return try RunningCommand(executable: executable ?? binary, arguments: args, environment: env, stdin: stdin,
                                  directory: directory, scratch: scratch)
    }

    /// Runs `support` and waits for it.
    @discardableResult
    func run(_ arguments: [String], as actor: String? = nil, stdin: Data? = nil,
             environment: [String: String?] = [:]) throws -> CLIResult {
        let result = try launch(arguments, as: actor, stdin: stdin, environment: environment).wait()
        #expect(!result.signaled, "support crashed: \(arguments)\n\(result)")
        return result
    }

    /// Runs a `/bin/sh` script with `$SUPPORT` naming the binary (for raw bytes in argv, umask, loops).
    @discardableResult
    func shell(_ script: String, environment: [String: String?] = [:]) throws -> CLIResult {
        try launchShell(script, environment: environment).wait()
    }

    func launchShell(_ script: String, environment: [String: String?] = [:]) throws -> RunningCommand {
        var env = environment
        env["SUPPORT"] = binary.path
        return try launch(["-c", script], environment: env, executable: URL(fileURLWithPath: "/bin/sh"))
    }

    /// Runs a command that must succeed and returns its result.
    @discardableResult
    func succeed(_ arguments: [String], as actor: String? = nil, stdin: Data? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        let result = try run(arguments, as: actor, stdin: stdin)
        try #require(result.status == 0, "\(arguments) failed: \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// `ticket create` with `--json`; returns the ticket object.
    @discardableResult
    func createTicket(subject: String = "Printer on fire", message: String = "It smells of toner.",
                      category: String = "technical-issue", extra: [String] = [], as actor: String? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try succeed(["ticket", "create", "--subject", subject, "--category", category, "--message", message, "--json"] + extra,
                                 as: actor, sourceLocation: sourceLocation)
        return try #require(try result.json()["ticket"] as? [String: Any], sourceLocation: sourceLocation)
    }

    /// The person commands without `--as` act as once mail is on: the login running the tests
    /// mapped to a real admin (`user add --login`), as README tells an admin to do. The local
    /// operator's placeholder may not send mail under its own name (IdentityTests).
    static let deskAgent = "desk.agent@example.test"

    func mapLoginToDeskAgent() throws {
        let login = String(cString: getpwuid(getuid())!.pointee.pw_name)
        try succeed(["user", "add", Self.deskAgent, "--name", "Desk Agent", "--role", "admin", "--login", login])
    }

    /// `ticket show --json` as the local operator.
    func ticket(_ number: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let result = try succeed(["ticket", "show", number, "--json"], sourceLocation: sourceLocation)
        return try #require(try result.json()["ticket"] as? [String: Any], sourceLocation: sourceLocation)
    }

    /// The current year as ticket numbers spell it.
    static var year: Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.component(.year, from: Date())
    }

    static func number(_ sequence: Int) -> String {
        "ST-\(year)-" + (sequence < 10 ? "00" : sequence < 100 ? "0" : "") + String(sequence)
    }
}
