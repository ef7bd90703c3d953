import Foundation
import SupportCore
import Testing

/// Part 3: hostile input on every option, argument and stdin. For each case: no crash (never a
/// signal, never exit 70), the exit status of SPEC's class, one clear line on stderr without SQL
/// or a stack trace, no escape sequence on the terminal, and the database byte-for-byte as it
/// was after a refusal.
@Suite("reliability: hostile input")
struct ReliabilityHostileInputTests {
    /// A database with a ticket (a reply and an internal note on it), a staff member, and mail
    /// off: nothing a case does can run a mail program. Built once, copied for each group.
    static let pristine = Result { () throws -> Sandbox in
        let sandbox = try Sandbox()
        try sandbox.succeed(["user", "add", "staff@example.test", "--role", "internal"])
        try sandbox.createTicket(subject: "Printer on fire", message: "It smells of toner.", extra: ["--requester", "jane@example.test"])
        try sandbox.succeed(["respond", Sandbox.number(1), "--message", "public reply"], as: "staff@example.test")
        try sandbox.succeed(["respond", Sandbox.number(1), "--internal", "--message", "internal note"], as: "staff@example.test")
        try sandbox.succeed(["ticket", "list"])
        // A static is never deinitialised: remove its directory when the run ends.
        ReliabilityCleanup.removeAtExit(sandbox.directory)
        return sandbox
    }

    struct Outcome: Sendable {
        var name: String
        var status: Int32
        var problems: [String]
    }

    /// Runs one case in `sandbox` and judges it; restores the database after a successful write.
    static func judge(_ c: HostileCorpus.Case, in sandbox: Sandbox, pristinePath: String) throws -> Outcome {
        let before = sandbox.reliabilityFingerprint
        var arguments = c.arguments
        if c.json { arguments.insert("--json", at: arguments.firstIndex(of: "--") ?? arguments.endIndex) }
        let result: CLIResult
        if let script = c.script {
            result = try sandbox.launchShell(script + (c.json ? " --json" : "")).wait(timeout: 60)
        } else {
            result = try sandbox.launch(arguments, as: c.actor, stdin: c.stdin).wait(timeout: 60)
        }
        var problems = result.reliabilityProblems()
        if !c.expected.contains(result.status) {
            problems.append("exit \(result.status), expected \(c.expected.sorted()): \(result.err.prefix(300))")
        }
        // Nothing raw from the input reaches a terminal, on either stream
        if result.stdout.contains(0x1B) || result.stderr.contains(0x1B) { problems.append("raw ESC in the output") }
        if result.stdout.contains(0x00) || result.stderr.contains(0x00) { problems.append("NUL in the output") }
        if result.out.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) { problems.append("C1 control on stdout") }
        if result.status != 0 {
            // A refusal: nothing on stdout, one clear line on stderr (a usage error may add
            // ArgumentParser's usage lines after its first), the file untouched
            let lines = result.err.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if !result.out.isEmpty && !c.arguments.starts(with: ["ticket", "import"]) {
                problems.append("stdout on failure: \(result.out.prefix(200))")
            }
            let isImport = c.arguments.starts(with: ["ticket", "import"])
            if isImport {
                // Each refused line is reported with its number (a summary goes to stdout)
                if !lines.allSatisfy({ $0.hasPrefix("line ") || $0.hasPrefix("support: ") || $0.hasPrefix("{") }) {
                    problems.append("import errors: \(result.err.prefix(300))")
                }
            } else if c.json {
                if lines.count != 1 { problems.append("--json error is \(lines.count) lines") }
                let object = try? JSONSerialization.jsonObject(with: result.stderr) as? [String: Any]
                if object?["code"] == nil { problems.append("--json error is not an APIError: \(result.err.prefix(200))") }
            } else if result.status == 64 {
                if lines.first?.hasPrefix("Error: ") != true { problems.append("usage error without an Error: line: \(result.err.prefix(200))") }
            } else if lines.count != 1 || lines.first?.hasPrefix("support: ") != true {
                problems.append("not one 'support: ' line: \(result.err.prefix(300))")
            }
            if let first = lines.first, first.count > 2_000 { problems.append("a \(first.count)-character error line") }
        }
        let after = sandbox.reliabilityFingerprint
        if (result.status != 0 && !c.partial) || !c.writes {
            if after != before { problems.append("the database changed (\(before) -> \(after))") }
        }
        if (result.status == 0 || c.partial) && c.writes {
            try Sandbox.reliabilityCopyDatabase(from: pristinePath, to: sandbox.dbPath)
        }
        return Outcome(name: c.name, status: result.status, problems: problems)
    }

    @Test func corpusOfHostileInputIsRefusedCleanly() throws {
        // Given the pristine database, copied for each group of cases
        let pristine = try Self.pristine.get()
        let cases = HostileCorpus.all
        let groups = Dictionary(grouping: cases, by: \.group)
        let names = groups.keys.sorted()
        let outcomes = OutcomeBox()
        let errors = OutcomeBox()
        let stateBefore = try pristine.storedState()

        // When every case runs (groups on two threads, each in its own copy)
        let queue = DispatchQueue(label: "hostile", attributes: .concurrent)
        let group = DispatchGroup()
        let slots = DispatchSemaphore(value: 2)
        var sandboxes: [Sandbox] = []
        for name in names {
            let sandbox = try Sandbox()
            try Sandbox.reliabilityCopyDatabase(from: pristine.dbPath, to: sandbox.dbPath)
            sandboxes.append(sandbox)
            let groupCases = groups[name] ?? []
            group.enter()
            queue.async {
                slots.wait()
                defer { slots.signal(); group.leave() }
                for c in groupCases {
                    do {
                        outcomes.append(try Self.judge(c, in: sandbox, pristinePath: pristine.dbPath))
                    } catch {
                        errors.append(Outcome(name: c.name, status: -1, problems: ["\(error)"]))
                    }
                }
            }
        }
        group.wait()

        // Then no case broke a rule
        let all = outcomes.values + errors.values
        let failed = all.filter { !$0.problems.isEmpty }
        for outcome in failed.prefix(60) {
            Issue.record("\(outcome.name): \(outcome.problems.joined(separator: "; "))")
        }
        #expect(all.count == cases.count)
        #expect(cases.count >= 200)
        // And every copy still holds what the pristine database holds
        for sandbox in sandboxes {
            #expect(try sandbox.storedState() == stateBefore)
            #expect(try sandbox.reliabilityIntegrity() == "ok")
        }
        var byStatus: [Int32: Int] = [:]
        for outcome in all { byStatus[outcome.status, default: 0] += 1 }
        ReliabilityFigures.report("hostile-input", [
            "cases": cases.count, "argv": HostileCorpus.argumentCases().count, "stdin": HostileCorpus.stdinCases().count,
            "import": HostileCorpus.importCases().count, "accepted": byStatus[0] ?? 0, "exit64": byStatus[64] ?? 0,
            "exit65": byStatus[65] ?? 0, "exit66": byStatus[66] ?? 0, "exit67": byStatus[67] ?? 0, "exit78": byStatus[78] ?? 0,
            "crashes": all.filter { $0.problems.contains { $0.hasPrefix("died") || $0.hasPrefix("exit 70") } }.count,
            "failures": failed.count,
        ])
    }
}

final class OutcomeBox: @unchecked Sendable {
    private var items: [ReliabilityHostileInputTests.Outcome] = []
    private let lock = NSLock()
    func append(_ item: ReliabilityHostileInputTests.Outcome) { lock.lock(); items.append(item); lock.unlock() }
    var values: [ReliabilityHostileInputTests.Outcome] { lock.lock(); defer { lock.unlock() }; return items }
}
