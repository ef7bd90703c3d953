import Foundation
import Testing

/// Issue 17: PostgreSQL stopped in the middle of a command. The command says "try again later"
/// (75), and what was committed is whole: every ticket with its history, the tally and the year's
/// counter in step, the numbers without a gap. On a cluster of the test's own, which it
/// stops and starts again (the shared one serves the other tests meanwhile).
@Suite("engines: PostgreSQL stopped mid-command")
struct PostgresFaultTests {
    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run installs it)"))
    func aServerStoppedMidCommandSays75AndLeavesEveryTicketWhole() throws {
        // Given a cluster of this test's own with an empty desk on it
        let script = PostgresTestDatabase.clusterScript()
        let cluster = FileManager.default.temporaryDirectory.appendingPathComponent("support-pg-fault-\(UUID().uuidString)").path
        // Durable: an immediate stop must not lose a commit the server acknowledged.
        let path = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DURABLE": "1"]
        let started = try PostgresTestDatabase.run("/bin/bash", [script, "start", cluster], environment: path)
        try #require(started.status == 0, "\(started.text)")
        defer {
            _ = try? PostgresTestDatabase.run("/bin/bash", [script, "stop", cluster], environment: path)
            try? FileManager.default.removeItem(atPath: cluster)
        }
        var values: [String: String] = [:]
        for line in started.text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        let address = try #require(URLComponents(string: values["SUPPORT_TEST_POSTGRES"] ?? ""))
        let port = try #require(address.port)
        let server = PostgresTestDatabase.Server(host: "127.0.0.1", port: port, password: values["SUPPORT_TEST_POSTGRES_PASSWORD"] ?? "",
                                                 socketDirectory: nil)
        try PostgresTestDatabase.psql(server, "CREATE DATABASE desk")
        let sandbox = try Sandbox()
        let desk: [String: String?] = ["SUPPORT_DB": "postgresql://support_test@127.0.0.1:\(port)/desk?sslmode=disable",
                                       "PGPASSWORD": server.password]
        #expect(try sandbox.run(["settings", "get", "support_name"], environment: desk).status == 0)

        // When tickets are created one after another, each its own command, and the server stops
        // (immediate mode) once ten exist
        let loop = try sandbox.launchShell("""
            i=1
            while [ $i -le 400 ]; do
              "$SUPPORT" ticket create --requester r$i@cust.test --subject "Ticket $i" --message "Text $i." --category bug-report >/dev/null 2>err.txt
              status=$?
              if [ $status -ne 0 ]; then echo "$status"; cat err.txt; exit 0; fi
              i=$((i+1))
            done
            echo finished
            """, environment: desk)
        let deadline = Date().addingTimeInterval(120)
        var committed = 0
        while Date() < deadline {
            committed = Int((try? PostgresTestDatabase.psql(server, "SELECT count(*) FROM ticket", database: "desk")) ?? "0") ?? 0
            if committed >= 10 { break }
            usleep(50_000)
        }
        try #require(committed >= 10, "only \(committed) tickets within 120 s")
        let stopped = try PostgresTestDatabase.run("/bin/bash", [script, "stop", cluster], environment: path)
        #expect(stopped.status == 0, "\(stopped.text)")
        let result = try loop.wait(timeout: 120)

        // Then the command running (or the next to connect) said 75, with a message that names
        // no password
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "75", "\(result)")
        #expect(!result.out.contains(server.password), "\(result)")

        // And, the server started again, what was committed is whole batches, each ticket with
        // its history, the tally and the counter in step
        let restarted = try PostgresTestDatabase.run("/bin/bash", [script, "restart", cluster, String(port)], environment: path)
        try #require(restarted.status == 0, "\(restarted.text)")
        let count = Int(try PostgresTestDatabase.psql(server, "SELECT count(*) FROM ticket", database: "desk")) ?? -1
        #expect(count >= 10, "\(count) tickets")
        // Numbers 1…count, none lost to the stop, none twice
        let numbers = try PostgresTestDatabase.psql(server, "SELECT string_agg(ticketNumber, ',' ORDER BY id) FROM ticket", database: "desk")
        #expect(numbers == (1...max(count, 1)).map { Sandbox.number($0) }.joined(separator: ","))
        #expect(try PostgresTestDatabase.psql(server, "SELECT count(*) FROM audit_event WHERE action = 'ticket.created'", database: "desk")
                == String(count))
        #expect(try PostgresTestDatabase.psql(server, "SELECT coalesce(sum(tickets), 0) FROM ticket_tally", database: "desk") == String(count))
        #expect(try PostgresTestDatabase.psql(server, "SELECT lastNumber FROM ticket_sequence WHERE year = \(Sandbox.year)", database: "desk")
                == String(count))
        let list = try sandbox.run(["ticket", "list", "--status", "all", "--json"], environment: desk)
        #expect(list.status == 0, "\(list)")
        #expect(((try list.json()["pagination"] as? [String: Any])?["total"] as? Int) == count)
    }
}
