import Foundation
import Testing

// Data sets for the search, filter, stats, history and transfer tests, written as the NDJSON
// `ticket import` reads, so that every timestamp is chosen by the test (no sleeping, no clock).

/// One person in an import line.
struct ImportedPerson: Sendable {
    var email: String
    var name: String?
    var role: String?

    static func requester(_ email: String) -> ImportedPerson { ImportedPerson(email: email) }
    static func staff(_ email: String, name: String? = nil) -> ImportedPerson { ImportedPerson(email: email, name: name, role: "internal") }
    static func admin(_ email: String, name: String? = nil) -> ImportedPerson { ImportedPerson(email: email, name: name, role: "admin") }

    var json: [String: Any] {
        var object: [String: Any] = ["email": email]
        if let name { object["name"] = name }
        if let role { object["role"] = role }
        return object
    }
}

/// One reply in an import line.
struct ImportedReply: Sendable {
    var message: String
    var by: ImportedPerson
    var isInternal = false
    var createdAt: Date

    var json: [String: Any] {
        ["message": message, "respondedBy": by.json, "isInternal": isInternal, "createdAt": ImportLine.iso(createdAt)]
    }
}

/// One NDJSON line of `ticket import`, in the export shape; nil fields are left out.
struct ImportLine: Sendable {
    var number: String?
    var subject: String
    var message: String = "Details follow."
    var category: String = "technical-issue"
    var priority: String? = nil
    var status: String? = nil
    var requester: ImportedPerson = .requester("jane@example.test")
    var assignee: ImportedPerson? = nil
    var replies: [ImportedReply] = []
    var createdAt: Date
    var updatedAt: Date? = nil
    var resolvedAt: Date? = nil
    var closedAt: Date? = nil

    var json: String {
        var object: [String: Any] = [
            "subject": subject, "message": message, "category": category, "submittedBy": requester.json,
            "responses": replies.map(\.json), "createdAt": Self.iso(createdAt),
        ]
        if let number { object["ticketNumber"] = number }
        if let priority { object["priority"] = priority }
        if let status { object["status"] = status }
        if let assignee { object["assignedTo"] = assignee.json }
        if let updatedAt { object["updatedAt"] = Self.iso(updatedAt) }
        if let resolvedAt { object["resolvedAt"] = Self.iso(resolvedAt) }
        if let closedAt { object["closedAt"] = Self.iso(closedAt) }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The date to the nearest millisecond (Foundation's format style cuts below the millisecond,
    /// and a parsed ".208" can lie a hair below it).
    static func iso(_ date: Date) -> String {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000 + 0.000_001)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `2025-03-01T09:00:00Z` and friends, for fixed data sets.
    static func date(_ text: String) -> Date {
        try! Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// Now, cut to whole seconds: the base of data sets whose age matters (backlog, `--since 7d`).
    static var now: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}

extension Sandbox {
    /// Imports `lines` as the local operator; every line must be accepted.
    @discardableResult
    func importTickets(_ lines: [ImportLine], sourceLocation: SourceLocation = #_sourceLocation) throws -> CLIResult {
        let text = lines.map(\.json).joined(separator: "\n") + "\n"
        let result = try succeed(["ticket", "import", "--json"], stdin: Data(text.utf8), sourceLocation: sourceLocation)
        #expect(try result.json()["imported"] as? Int == lines.count, "\(result)", sourceLocation: sourceLocation)
        return result
    }

    /// `ticket list --json` with `arguments`: the ticket numbers in order and the pagination object.
    /// Every status unless `arguments` name some (`ticket list` alone shows open and in-progress).
    func list(_ arguments: [String], as actor: String? = nil,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> (numbers: [String], pagination: [String: Int], tickets: [[String: Any]]) {
        let statuses = arguments.contains { $0 == "--status" || $0.hasPrefix("--status=") } ? [] : ["--status", "all"]
        let result = try succeed(["ticket", "list", "--json"] + statuses + arguments, as: actor, sourceLocation: sourceLocation)
        #expect(result.err == "", "\(result)", sourceLocation: sourceLocation)
        let root = try result.json(sourceLocation: sourceLocation)
        let tickets = try #require(root["tickets"] as? [[String: Any]], "\(result)", sourceLocation: sourceLocation)
        let pagination = try #require(root["pagination"] as? [String: Int], "\(result)", sourceLocation: sourceLocation)
        return (tickets.compactMap { $0["ticketNumber"] as? String }, pagination, tickets)
    }

    /// `ticket export` with `arguments`: one JSON object per line.
    func export(_ arguments: [String] = [], as actor: String? = nil,
                sourceLocation: SourceLocation = #_sourceLocation) throws -> (lines: [[String: Any]], bytes: Data, out: String) {
        let result = try succeed(["ticket", "export"] + arguments, as: actor, sourceLocation: sourceLocation)
        #expect(result.err == "", "\(result)", sourceLocation: sourceLocation)
        let lines = try result.out.split(separator: "\n").map { try JSON.object(Data($0.utf8), sourceLocation: sourceLocation) }
        return (lines, result.stdout, result.out)
    }

    /// Writes an executable `/bin/sh` script into the sandbox and returns its path.
    func script(named name: String, _ body: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(("#!/bin/sh\n" + body + "\n").utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }
}
