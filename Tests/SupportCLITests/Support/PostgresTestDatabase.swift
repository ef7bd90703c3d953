import Foundation
import Testing

// (Also compiled into SupportPostgresTests through a symbolic link: one helper for both.)

/// A fresh PostgreSQL database for one test, made and dropped with the real `psql`, on the
/// server that `.ci/run` starts (SUPPORT_TEST_POSTGRES, SUPPORT_TEST_POSTGRES_PASSWORD,
/// SUPPORT_TEST_POSTGRES_SOCKET, from Tests/postgres/test-cluster.sh). Without those variables a
/// cluster of its own is started with the same script when PostgreSQL 15 is installed (so a
/// developer can run the tests), and stopped when the test process ends; else the tests that
/// need one print why they skip.
final class PostgresTestDatabase: @unchecked Sendable {
    struct Server: Sendable {
        var host: String
        var port: Int
        var password: String
        var socketDirectory: String?
    }

    static let psql = ["/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static let server: Result<Server, Problem> = findServer()

    /// Whether a server is there; prints the reason once when not (as PostfixIngestTests does).
    static let available: Bool = {
        if case .failure(let reason) = server {
            print("PostgreSQL tests skipped: \(reason.description)")
            return false
        }
        return true
    }()

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    let server: Server
    let name: String

    /// `template`: a copy of that database (nobody may be connected to it), as a test copies a
    /// prepared SQLite file.
    init(template: PostgresTestDatabase? = nil) throws {
        server = try Self.server.get()
        name = "support_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try Self.psql(server, "CREATE DATABASE \(name)" + (template.map { " TEMPLATE \($0.name)" } ?? ""))
    }

    deinit {
        drop()
    }

    func drop() {
        // WITH (FORCE): a command that failed half-way may still hold a connection.
        _ = try? Self.psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// The `--db` of this database over TCP (a password: `environment`), and `query` appended.
    func url(query: String? = nil) -> String {
        "postgresql://support_test@\(server.host):\(server.port)/\(name)" + (query.map { "?" + $0 } ?? "")
    }

    /// The `--db` of this database over the Unix socket (trusted: no password).
    var socketURL: String? {
        server.socketDirectory.map { "postgresql://support_test@/\(name)?host=\($0)&port=\(server.port)" }
    }

    /// What a command needs beside `--db`: the password, as an admin gives it.
    var environment: [String: String?] { ["PGPASSWORD": server.password] }

    /// Runs SQL as support_test in this database and returns psql's unaligned output.
    @discardableResult
    func sql(_ statement: String) throws -> String {
        try Self.psql(server, statement, database: name)
    }

    @discardableResult
    static func psql(_ server: Server, _ statement: String, database: String = "postgres") throws -> String {
        guard let psql else { throw Problem(description: "psql is not installed") }
        let output = try run(psql, ["--no-psqlrc", "--quiet", "--no-align", "--tuples-only", "--set=ON_ERROR_STOP=1",
                                    "--dbname=postgresql://support_test@\(server.host):\(server.port)/\(database)?sslmode=disable",
                                    "--command=\(statement)"],
                             environment: ["PGPASSWORD": server.password, "PATH": "/usr/bin:/bin"])
        guard output.status == 0 else { throw Problem(description: "psql \(statement): \(output.text)") }
        return output.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a program and waits for it: posix_spawn and waitpid, not Foundation's Process,
    /// whose wait never ended here when called while a test trait was being evaluated (the child
    /// already a zombie). Its output goes to a file, not a pipe: the server that test-cluster.sh
    /// starts would keep a pipe open for ever.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, text: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("support-pg-out-\(UUID().uuidString)").path
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Problem(description: "cannot run \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        // Exited normally: the low 7 bits are 0 and the code is in the next 8.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, text)
    }

    private static func findServer() -> Result<Server, Problem> {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SUPPORT_TEST_POSTGRES"], !url.isEmpty {
            guard let password = environment["SUPPORT_TEST_POSTGRES_PASSWORD"] else {
                return .failure(Problem(description: "SUPPORT_TEST_POSTGRES is set but SUPPORT_TEST_POSTGRES_PASSWORD is not"))
            }
            return parse(url, password: password, socket: environment["SUPPORT_TEST_POSTGRES_SOCKET"])
        }
        guard psql != nil else { return .failure(Problem(description: "no SUPPORT_TEST_POSTGRES and no psql (.ci/run installs PostgreSQL 15)")) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/15/bin/initdb") else {
            return .failure(Problem(description: "no SUPPORT_TEST_POSTGRES and no PostgreSQL 15 in /usr/lib/postgresql/15/bin (.ci/run installs it)"))
        }
        return startOwnCluster()
    }

    private static func parse(_ url: String, password: String, socket: String?) -> Result<Server, Problem> {
        // postgresql://support_test@HOST:PORT/postgres, as test-cluster.sh prints it.
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port else {
            return .failure(Problem(description: "SUPPORT_TEST_POSTGRES=\(url) is not postgresql://support_test@HOST:PORT/postgres"))
        }
        return .success(Server(host: host, port: port, password: password, socketDirectory: socket.flatMap { $0.isEmpty ? nil : $0 }))
    }

    private static func startOwnCluster() -> Result<Server, Problem> {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("support-pg-\(UUID().uuidString)").path
        do {
            let output = try run("/bin/bash", [clusterScript(), "start", directory], environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
            guard output.status == 0 else {
                return .failure(Problem(description: "could not start a PostgreSQL cluster: \(output.text)"))
            }
            var values: [String: String] = [:]
            for line in output.text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { values[parts[0]] = parts[1] }
            }
            ownClusterDirectory = directory
            atexit {
                guard let directory = PostgresTestDatabase.ownClusterDirectory else { return }
                _ = try? PostgresTestDatabase.run("/bin/bash", [PostgresTestDatabase.clusterScript(), "stop", directory],
                                                  environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
                try? FileManager.default.removeItem(atPath: directory)
            }
            return parse(values["SUPPORT_TEST_POSTGRES"] ?? "", password: values["SUPPORT_TEST_POSTGRES_PASSWORD"] ?? "",
                         socket: values["SUPPORT_TEST_POSTGRES_SOCKET"])
        } catch {
            return .failure(Problem(description: "could not start a PostgreSQL cluster: \(error)"))
        }
    }

    nonisolated(unsafe) static var ownClusterDirectory: String?

    static func clusterScript() -> String {
        var script = URL(fileURLWithPath: #filePath)
        while script.path != "/", !FileManager.default.fileExists(atPath: script.appendingPathComponent("Package.swift").path) {
            script.deleteLastPathComponent()
        }
        return script.appendingPathComponent("Tests/postgres/test-cluster.sh").path
    }
}
