import Foundation
import Testing

/// Issue 17: a desk on PostgreSQL answers as the same desk on SQLite. One script of commands
/// (people, tickets, replies and notes, changes, lists with every filter, sort and page, search as
/// staff and as a requester, history, audit, stats, the outbox, export) runs on both engines; each
/// step's exit status, JSON and error must be the same once the times (which differ by the
/// milliseconds the commands took) are set aside.
@Suite("engines: PostgreSQL answers as SQLite does")
struct EngineParityTests {
    static let admin = "ada@desk.test", agent = "sam@desk.test", customer = "carla@cust.test", other = "otto@cust.test"

    @Test(.enabled(if: PostgresTestDatabase.available, "needs PostgreSQL (.ci/run starts one)"))
    func theSameCommandsGiveTheSameAnswersOnBothEngines() throws {
        // Given the same script run on an SQLite desk and on a PostgreSQL desk
        let sqlite = try Self.transcript(on: .sqlite)
        let postgres = try Self.transcript(on: .postgresql)

        // Then every step answered the same
        #expect(sqlite.count == postgres.count)
        for (a, b) in zip(sqlite, postgres) where a != b {
            // The command, then the first line that differs with a few lines around it.
            let left = a.split(separator: "\n", omittingEmptySubsequences: false), right = b.split(separator: "\n", omittingEmptySubsequences: false)
            let first = (0..<min(left.count, right.count)).first { left[$0] != right[$0] } ?? min(left.count, right.count)
            let around = max(0, first - 6)
            Issue.record("""
                SQLite and PostgreSQL differ at line \(first + 1) of: \(left.first ?? "")
                --- sqlite:
                \(left[around..<min(left.count, first + 4)].joined(separator: "\n"))
                --- postgresql:
                \(right[around..<min(right.count, first + 4)].joined(separator: "\n"))
                """)
        }
    }

    static func transcript(on engine: Engine) throws -> [String] {
        let sandbox = try Sandbox(engine: engine)
        let sent = sandbox.directory.appendingPathComponent("sent")
        try FileManager.default.createDirectory(at: sent, withIntermediateDirectories: true)
        var steps: [String] = []
        func step(_ arguments: [String], as actor: String? = nil, stdin: String? = nil) throws {
            let result = try sandbox.run(arguments, as: actor, stdin: stdin.map { Data($0.utf8) })
            let shown = "$ \(actor.map { "--as \($0) " } ?? "")\(arguments.joined(separator: " "))\nexit \(result.status)\n"
                + normalized(result.out) + "\n" + normalized(result.err)
            steps.append(shown.replacingOccurrences(of: sandbox.directory.path, with: "<sandbox>"))
        }
        let year = Sandbox.year
        func number(_ n: Int) -> String { Sandbox.number(n) }

        try step(["settings", "set", "support_email", "help@desk.test"])
        try step(["settings", "set", "sendmail_command", "\(MailTools.fakeSendmail) --out \(sent.path)"])
        try step(["settings", "set", "ticket_rate_limit_per_hour", "0"])
        try step(["user", "add", admin, "--name", "Ada Admin", "--role", "admin", "--json"])
        try step(["user", "add", agent, "--name", "Sam Staff", "--role", "internal", "--json"])
        try step(["user", "add", customer, "--name", "Carla Customer", "--role", "user", "--json"])
        try step(["user", "add", other, "--name", "Otto Other", "--role", "user", "--json"])
        try step(["user", "add", agent, "--role", "internal", "--json"])  // already a user: refused
        let tickets: [(String, String, String, String, String)] = [
            ("Printer jams on invoices", "The office printer jams whenever we print invoices.", "technical-issue", "high", customer),
            ("Cannot log in", "My password reset mail never arrives.", "account-issue", "critical", customer),
            ("Dark mode please", "A dark theme for the dashboard would be lovely.", "feature-request", "low", other),
            ("Invoice totals wrong", "The totals on printed invoices are off by one cent.", "bug-report", "medium", other),
            ("Printers in the annex", "Are the printers in the annex on the network?", "general-inquiry", "medium", customer),
        ]
        for (subject, message, category, priority, requester) in tickets {
            try step(["ticket", "create", "--subject", subject, "--message", message, "--category", category, "--priority", priority, "--json"],
                     as: requester)
        }
        try step(["ticket", "create", "--subject", "  ", "--message", "x", "--category", "bug-report", "--json"], as: customer)
        try step(["ticket", "update", number(1), "--assign", agent, "--status", "in-progress", "--json"], as: admin)
        try step(["respond", number(1), "--message", "We replaced the toner cartridge.", "--json"], as: agent)
        try step(["respond", number(1), "--internal", "--message", "Vendor contract renewal is due; check the warranty.", "--json"], as: agent)
        try step(["respond", number(1), "--message", "Still jamming after the toner change.", "--json"], as: customer)
        try step(["respond", number(3), "--message", "Not mine to answer.", "--json"], as: customer)
        try step(["ticket", "update", number(2), "--status", "resolved", "--json"], as: agent)
        try step(["respond", number(2), "--message", "It happened again today.", "--json"], as: customer)
        try step(["ticket", "update", number(4), "--priority", "high", "--category", "technical-issue", "--json"], as: agent)
        try step(["ticket", "update", number(5), "--status", "closed", "--json"], as: admin)
        try step(["ticket", "show", number(1), "--json"], as: customer)
        try step(["ticket", "show", number(1), "--json"], as: agent)
        try step(["ticket", "show", number(3), "--json"], as: customer)
        try step(["ticket", "show", "ST-\(year)-999", "--json"], as: agent)
        for filters in [[], ["--status", "open"], ["--status", "open,in-progress"], ["--priority", "high,critical"],
                        ["--category", "technical-issue"], ["--assignee", "none"], ["--assignee", agent], ["--requester", customer],
                        ["--sort", "priority"], ["--sort", "status"], ["--sort", "updated"], ["--reverse"],
                        ["--limit", "2", "--page", "2"], ["--limit", "2", "--page", "9"],
                        ["--search", "printer"], ["--search", "printers invoices"], ["--search", "warranty"],
                        ["--search", "toner", "--status", "in-progress"], ["--search", "\"printer\" OR NEAR(x)"],
                        ["--search", "invoice", "--sort", "relevance"], ["--search", "!!!"]] {
            try step(["ticket", "list", "--json"] + filters, as: agent)
        }
        for filters in [[], ["--search", "warranty"], ["--search", "printer"], ["--status", "resolved,open"]] {
            try step(["ticket", "list", "--json"] + filters, as: customer)
        }
        try step(["ticket", "history", number(1), "--json"], as: agent)
        try step(["ticket", "history", number(1), "--json"], as: customer)
        try step(["audit", "--json", "--limit", "100"], as: admin)
        try step(["audit", "--json", "--action", "ticket.changed"], as: admin)
        try step(["stats", "--json"], as: admin)
        try step(["notify", "list", "--json"], as: admin)
        try step(["notify", "flush", "--json"], as: admin)
        try step(["notify", "list", "--json"], as: admin)
        try step(["user", "update", agent, "--role", "user", "--json"], as: admin)
        try step(["ticket", "list", "--json", "--assignee", "none"], as: admin)
        try step(["user", "list", "--json"], as: admin)
        try step(["ticket", "delete", number(3), "--json"], as: admin)
        try step(["ticket", "export"], as: admin)
        // A fixed ticket of another year, imported, exported, deleted and restored from its line
        let old = """
            {"ticketNumber":"ST-2020-042","subject":"From the old desk","message":"Imported.","category":"General Inquiry","priority":"Low","status":"Resolved","submittedBy":{"email":"old@cust.test","name":"Old Customer","role":"user"},"assignedTo":null,"responses":[{"id":900,"message":"Done.","respondedBy":{"email":"\(admin)","name":"Ada Admin","role":"admin"},"isInternal":false,"createdAt":"2020-03-02T09:00:00.000Z"}],"attachments":[],"createdAt":"2020-03-01T10:00:00.000Z","updatedAt":"2020-03-02T10:00:00.000Z","resolvedAt":"2020-03-02T10:00:00.000Z","closedAt":null}

            """
        try step(["ticket", "import", "--json"], as: admin, stdin: old + old)
        try step(["ticket", "show", "ST-2020-042", "--json"], as: admin)
        let line = try sandbox.run(["ticket", "export", "--search", "jams"], as: admin).out
        try step(["ticket", "delete", number(1), "--json"], as: admin)
        try step(["ticket", "import", "--json"], as: admin, stdin: line)
        try step(["ticket", "show", number(1), "--json"], as: admin)
        try step(["ticket", "show", "ST-2020-042", "--json"], as: admin)
        try step(["stats", "--json"], as: admin)
        return steps
    }

    /// JSON with its times set aside: an ISO 8601 time, and any number of seconds, becomes a
    /// placeholder (they depend on how long each command took). Other output as it is.
    static func normalized(_ text: String) -> String {
        let isoTime = try! Regex(#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"#)
        var result = text.replacing(isoTime, with: "<time>")
        let seconds = try! Regex(#"("\w*Seconds"\s*:\s*)[0-9.]+"#)
        result = result.replacing(seconds) { match in String(match.output[1].substring ?? "") + "<seconds>" }
        // The desk's Message-IDs carry the time they were made, and a signature over it.
        let messageID = try! Regex(#"ST-\d{4}-\d{3,}(\.[a-z0-9]+)+@"#)
        result = result.replacing(messageID, with: "<message-id>@")
        return result
    }
}
