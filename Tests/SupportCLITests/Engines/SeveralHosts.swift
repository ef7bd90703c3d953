import Foundation
import Testing

/// Issue 17's several hosts on one machine: one PostgreSQL desk, two `support serve` processes and
/// two cron-like `notify flush` loops, each process group in a UTS namespace of its own
/// (`unshare --uts`) under its own host name, so that each names its leases after another host
/// and none may take over another's lease by looking at its process (`LeaseOwner.isGone` is for
/// processes of the same host): a lease another host left behind is taken over only when it has
/// run out, as it would be across real machines. Everything delivers through one capture mail
/// program that keeps one file per delivery and who ran it.
final class SeveralHosts {
    static let creators = 8
    static let agent = "sam@desk.test"
    static let hostNames = ["alpha", "beta", "gamma", "delta"]
    /// The lease of every flusher (SUPPORT_MAIL_LEASE_SECONDS): short, so that the claims of a
    /// killed process are taken over within seconds; three heartbeats fit in it.
    static let lease = "3"

    let sandbox: Sandbox
    let database: PostgresTestDatabase
    /// One `d.XXXXXXXX` per run of the mail program (the pid that ran it), `.eml` when kept,
    /// `.held` while it waits at the gate.
    let deliveries: URL
    /// While this file exists, the mail program holds each message it has read: a kill then lands
    /// on a process with sends in flight, every time.
    let gate: URL
    /// The loops run while this file exists: a test that fails half-way (its sandbox removed)
    /// leaves no loop behind.
    let runFile: URL
    let ticketsPerCreator: Int
    private(set) var servers: [(command: RunningCommand, base: String)] = []
    /// How each server ended, once it has (its pid is not signalled after that: it may be reused).
    private var serverEnds: [Int: CLIResult] = [:]
    private(set) var loops: [RunningCommand] = []
    private(set) var creatorRun: RunningCommand?
    let creatorLog: URL
    /// False when this machine refuses `unshare --uts` (not root): then every process runs on this
    /// host, and a killed process's leases are released by its host's next flush instead.
    let separateHosts: Bool

    private let began = Date()
    private var marks: [String] = []

    /// Notes how long the test has run, for the summary line (where its minute goes).
    func mark(_ phase: String) { marks.append("\(phase) \(String(format: "%.1f", Date().timeIntervalSince(began))) s") }
    var timeline: String { marks.joined(separator: ", ") }

    init(ticketsPerCreator: Int) throws {
        self.ticketsPerCreator = ticketsPerCreator
        sandbox = try Sandbox(engine: .postgresql)
        database = try #require(sandbox.postgres)
        deliveries = try sandbox.makeDirectory("deliveries")
        gate = sandbox.directory.appendingPathComponent("gate")
        runFile = sandbox.directory.appendingPathComponent("loops-run")
        creatorLog = sandbox.directory.appendingPathComponent("creators.log")
        separateHosts = (try? sandbox.launch(["--uts", "/bin/sh", "-c", "hostname probe"],
                                             executable: URL(fileURLWithPath: "/usr/bin/unshare")).wait(timeout: 30).status) == 0
        if !separateHosts { print("several hosts: unshare --uts is refused here; all processes run on one host") }
        let sendmail = try sandbox.writeScript("capture-sendmail.sh", """
            #!/bin/sh
            # One file per delivery: who ran it ($PPID, the server or the flush), then the message.
            f=$(mktemp "\(deliveries.path)/d.XXXXXXXX") || exit 75
            echo "$PPID" > "$f"
            cat > "$f.part" || exit 74
            if [ -e "\(gate.path)" ]; then
                : > "$f.held"
                while [ -e "\(gate.path)" ]; do sleep 0.02; done
            fi
            mv "$f.part" "$f.eml"
            """)
        // The people and their tokens, nine at once (as nine admins might): the first command
        // alone, as it makes the schema.
        let people = [Self.agent] + (0..<Self.creators).map { "c\($0)@cust.test" }
        let tokenDirectory = try sandbox.makeDirectory("tokens")
        let setup = try sandbox.shell("""
            set -e
            "$SUPPORT" settings set support_email help@desk.test >/dev/null
            pids=""
            for person in \(people.joined(separator: " ")); do
              case "$person" in \(Self.agent)) role=internal ;; *) role=user ;; esac
              ( "$SUPPORT" user add "$person" --role $role >/dev/null &&
                "$SUPPORT" token issue "$person" --expires 1h > "\(tokenDirectory.path)/$person" ) &
              pids="$pids $!"
            done
            "$SUPPORT" settings set support_auto_response true >/dev/null
            "$SUPPORT" settings set ticket_rate_limit_per_hour 0 >/dev/null
            "$SUPPORT" settings set sendmail_command '\(sendmail)' >/dev/null
            for pid in $pids; do wait $pid; done
            cd "\(tokenDirectory.path)" && cat \(people.joined(separator: " "))
            """)
        try #require(setup.status == 0, "setting up the desk failed: \(setup)")
        tokens = setup.out.split(separator: "\n").map(String.init)
        try #require(tokens.count == Self.creators + 1, "\(setup.out)")
    }

    /// The agent's token, then each creator's.
    let tokens: [String]

    /// Runs `script` under `/bin/sh` on host `name` (its own UTS namespace), with `$SUPPORT`.
    /// `unshare` without `--fork` execs in place: the pid returned is the script's, and `exec`
    /// in the script makes it the pid of the command.
    func onHost(_ name: String, _ script: String) throws -> RunningCommand {
        let environment: [String: String?] = ["SUPPORT": sandbox.binary.path, "SUPPORT_MAIL_LEASE_SECONDS": Self.lease]
        guard separateHosts else {
            return try sandbox.launch(["-c", script], environment: environment, executable: URL(fileURLWithPath: "/bin/sh"))
        }
        return try sandbox.launch(["--uts", "/bin/sh", "-c", "hostname \(name) && \(script)"], environment: environment,
                                  executable: URL(fileURLWithPath: "/usr/bin/unshare"))
    }

    /// Two servers (on alpha and beta, each flushing every second) and two cron loops (gamma and
    /// delta: `notify flush` again and again, as cron runs it, until `stop()`).
    func start() throws {
        for (index, host) in Self.hostNames.prefix(2).enumerated() {
            let log = sandbox.directory.appendingPathComponent("server-\(host).out")
            let server = try onHost(host, "exec \"$SUPPORT\" serve --listen 127.0.0.1:0 --flush-every 1s > \(log.path)")
            var base: String?
            try Self.waitUntil("server \(index) on \(host) says where it listens", timeout: 60) {
                base = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n")
                    .first { $0.hasPrefix("listening on ") }.map { "http://" + $0.dropFirst("listening on ".count) }
                return base != nil
            }
            servers.append((server, try #require(base)))
        }
        #expect(servers[0].base != servers[1].base)
        _ = FileManager.default.createFile(atPath: runFile.path, contents: nil)
        for host in Self.hostNames.suffix(2) {
            let log = sandbox.directory.appendingPathComponent("loop-\(host).log").path
            // The pause between runs is cron's period (a second, to keep the test short), not a
            // wait for anything.
            loops.append(try onHost(host, """
                while [ -e "\(runFile.path)" ]; do
                  "$SUPPORT" notify flush --quiet --jobs 2; echo $? >> "\(log)"
                  sleep 1
                done
                """))
        }
    }

    /// Starts the creators: `creators` threads over HTTP, split over the two servers.
    func startCreators() throws {
        mark("set up")
        let python = try MailTools.python.get()
        let script = ServerAPITests.packageRoot.appendingPathComponent("Tests/server/hosts_creators.py").path
        creatorRun = try RunningCommand(
            executable: URL(fileURLWithPath: python),
            arguments: [script, creatorLog.path, String(ticketsPerCreator)] + servers.map(\.base) + tokens,
            environment: ProcessInfo.processInfo.environment.merging(["CREATORS_GATE": creatorsGate.path]) { $1 },
            stdin: nil, directory: sandbox.directory, scratch: sandbox.scratch)
    }

    private var creatorsEnded: CLIResult?

    func finishCreators() throws -> CLIResult {
        let result = try #require(creatorRun).wait(timeout: 300)
        creatorsEnded = result
        mark("creators done")
        return result
    }

    /// The creators' requests so far, one per line of their log.
    func requests() throws -> [CreatorRequest] {
        guard let text = try? String(contentsOf: creatorLog, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(CreatorRequest.self, from: Data($0.utf8)) }
    }

    /// The total the creators mean to open.
    var ticketsWanted: Int { Self.creators * ticketsPerCreator }

    func closeGate() { _ = FileManager.default.createFile(atPath: gate.path, contents: nil) }
    func openGate() { try? FileManager.default.removeItem(at: gate) }

    /// The creators' gate (hosts_creators.py, CREATORS_GATE): while it is closed, each creator
    /// stops after a third of its tickets (rounded up). Close it before `startCreators`.
    var creatorsGate: URL { sandbox.directory.appendingPathComponent("creators-gate") }
    func holdCreators() { _ = FileManager.default.createFile(atPath: creatorsGate.path, contents: nil) }
    func releaseCreators() { try? FileManager.default.removeItem(at: creatorsGate) }

    /// Runs of the mail program so far: its file's name and the pid that ran it (nil while the
    /// program has not yet written it).
    func runs() throws -> [(name: String, by: Int32?, held: Bool, kept: Bool)] {
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: deliveries.path))
        return names.filter { $0.hasPrefix("d.") && $0.split(separator: ".").count == 2 }.sorted().map { name in
            let by = (try? String(contentsOf: deliveries.appendingPathComponent(name), encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return (name, by, names.contains(name + ".held"), names.contains(name + ".eml"))
        }
    }

    /// Every message kept: its Message-ID, bytes and the pid that sent it.
    func delivered() throws -> [(messageID: String, bytes: Data, by: Int32?)] {
        try runs().filter(\.kept).map { run in
            let bytes = try Data(contentsOf: deliveries.appendingPathComponent(run.name + ".eml"))
            return (Self.messageID(in: bytes) ?? "(none in \(run.name))", bytes, run.by)
        }
    }

    /// The Message-ID header's value, without angle brackets (as the outbox stores it).
    static func messageID(in bytes: Data) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n").first ?? text
        guard let line = head.split(whereSeparator: \.isNewline).first(where: { $0.lowercased().hasPrefix("message-id:") }) else { return nil }
        return line.dropFirst("message-id:".count).trimmingCharacters(in: CharacterSet(charactersIn: " \t<>"))
    }

    /// Rows of a query, each split at `|` (psql's unaligned output).
    func rows(_ sql: String) throws -> [[String]] {
        try database.sql(sql).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    func count(_ sql: String) throws -> Int {
        try #require(Int(try database.sql(sql)), "not a count: \(sql)")
    }

    /// Waits until nothing is left to send and every run of the mail program has ended (a killed
    /// flusher's orphans too), then stops the loops and the servers that still run.
    func drainAndStop(timeout: TimeInterval = 90) throws -> (loops: [String], servers: [CLIResult]) {
        try Self.waitUntil("every outbox message is sent", timeout: timeout) {
            try count("SELECT count(*) FROM outbox WHERE status <> 'sent'") == 0
        }
        try Self.waitUntil("every run of the mail program has ended", timeout: 30) {
            try runs().allSatisfy(\.kept)
        }
        mark("all sent")
        try? FileManager.default.removeItem(at: runFile)
        for loop in loops { _ = try loop.wait(timeout: 60) }
        for index in servers.indices where serverEnds[index] == nil {
            servers[index].command.send(SIGTERM)
            serverEnds[index] = try servers[index].command.wait(timeout: 60)
        }
        let stopped = servers.indices.compactMap { serverEnds[$0] }
        mark("stopped")
        let exits = Self.hostNames.suffix(2).map { host in
            (try? String(contentsOf: sandbox.directory.appendingPathComponent("loop-\(host).log"), encoding: .utf8)) ?? ""
        }
        return (exits, stopped)
    }

    /// Whatever a failed test left running is stopped: the loops end, held mail programs finish,
    /// the servers and the creators are killed.
    deinit {
        try? FileManager.default.removeItem(at: runFile)
        openGate()
        for index in servers.indices where serverEnds[index] == nil { servers[index].command.send(SIGKILL) }
        if creatorsEnded == nil { creatorRun?.send(SIGKILL) }
    }

    /// Kills server `index` with SIGKILL and waits for it to be gone.
    func killServer(_ index: Int) throws -> CLIResult {
        servers[index].command.send(SIGKILL)
        let result = try servers[index].command.wait(timeout: 30)
        serverEnds[index] = result
        return result
    }

    /// Polls `condition` until it holds; past `timeout`, fails saying what did not happen.
    static func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            guard Date() < deadline else { throw CLIError(description: "waited \(Int(timeout)) s, and still not: \(what)") }
            usleep(25_000)
        }
    }
}

/// One line of the creators' log (Tests/server/hosts_creators.py).
struct CreatorRequest: Decodable {
    var creator: Int
    var kind: String
    var key: String
    var `try`: Int
    var server: Int
    /// nil: no answer (the connection was refused or lost).
    var status: Int?
    var ticket: String?
    var body: String?
}
