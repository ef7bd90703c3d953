import Foundation
import Testing

/// Every command × every kind of actor × own / someone else's ticket, from tables: the exit
/// status SPEC's roles imply, and that a requester never sees another requester's ticket or
/// any internal note, in text or JSON, on stdout or stderr.
@Suite("permission matrix")
struct PermissionMatrixTests {
    /// Who runs the command.
    enum Actor: String, CaseIterable, Sendable {
        case requesterA, requesterB, staff, admin, localOperator

        var email: String? {
            switch self {
            case .requesterA: World.requesterA
            case .requesterB: World.requesterB
            case .staff: "staff@example.test"
            case .admin: "admin@example.test"
            case .localOperator: nil
            }
        }

        var isRequester: Bool { self == .requesterA || self == .requesterB }
    }

    /// Whose ticket the command is aimed at.
    enum Target: String, CaseIterable, Sendable {
        case ticketOfA, ticketOfB

        var owner: Actor { self == .ticketOfA ? .requesterA : .requesterB }
    }

    /// How the actor relates to the target: the columns of the expectation table.
    enum Relation: Sendable {
        case requesterOwnTicket, requesterOthersTicket, staff, admin, localOperator

        init(_ actor: Actor, _ target: Target) {
            switch actor {
            case .requesterA, .requesterB: self = actor == target.owner ? .requesterOwnTicket : .requesterOthersTicket
            case .staff: self = .staff
            case .admin: self = .admin
            case .localOperator: self = .localOperator
            }
        }
    }

    struct Command: Sendable {
        var name: String
        /// The arguments, given the target ticket's number and its requester's address.
        var arguments: @Sendable (_ ticket: String, _ requester: String) -> [String]
        /// Exit status for: requester on own ticket, requester on another's, staff, admin, local operator.
        var expected: (own: Int32, others: Int32, staff: Int32, admin: Int32, localOperator: Int32)
        /// Whether success changes what is stored.
        var writes = false

        func status(for relation: Relation) -> Int32 {
            switch relation {
            case .requesterOwnTicket: expected.own
            case .requesterOthersTicket: expected.others
            case .staff: expected.staff
            case .admin: expected.admin
            case .localOperator: expected.localOperator
            }
        }
    }

    // 0 ok, 66 "no such ticket" (another's ticket does not exist for a requester), 77 not allowed.
    static let commands: [Command] = [
        Command(name: "ticket show", arguments: { t, _ in ["ticket", "show", t] }, expected: (0, 66, 0, 0, 0)),
        Command(name: "ticket list", arguments: { _, r in ["ticket", "list", "--requester", r] }, expected: (0, 0, 0, 0, 0)),
        Command(name: "ticket list (all)", arguments: { _, _ in ["ticket", "list", "--limit", "500"] }, expected: (0, 0, 0, 0, 0)),
        Command(name: "ticket update", arguments: { t, _ in ["ticket", "update", t, "--priority", "critical", "--status", "resolved"] },
                expected: (77, 66, 0, 0, 0), writes: true),
        Command(name: "ticket delete", arguments: { t, _ in ["ticket", "delete", t, "--yes"] }, expected: (77, 66, 77, 0, 0), writes: true),
        Command(name: "respond (public)", arguments: { t, _ in ["respond", t, "--message", "a new public reply"] },
                expected: (0, 66, 0, 0, 0), writes: true),
        Command(name: "respond --internal", arguments: { t, _ in ["respond", t, "--internal", "--message", "a new internal note"] },
                expected: (77, 66, 0, 0, 0), writes: true),
        Command(name: "ticket history", arguments: { t, _ in ["ticket", "history", t] }, expected: (0, 66, 0, 0, 0)),
        Command(name: "ticket export", arguments: { _, _ in ["ticket", "export"] }, expected: (0, 0, 0, 0, 0)),
        Command(name: "stats", arguments: { _, _ in ["stats"] }, expected: (77, 77, 0, 0, 0)),
        Command(name: "audit", arguments: { _, _ in ["audit"] }, expected: (77, 77, 77, 0, 0)),
        Command(name: "audit --ticket", arguments: { t, _ in ["audit", "--ticket", t, "--action", "ticket.noted"] }, expected: (77, 77, 77, 0, 0)),
        Command(name: "notify list", arguments: { _, _ in ["notify", "list"] }, expected: (77, 77, 77, 0, 0)),
        Command(name: "settings get", arguments: { _, _ in ["settings", "get"] }, expected: (77, 77, 77, 0, 0)),
        Command(name: "settings set", arguments: { _, _ in ["settings", "set", "support_name", "Changed Desk"] },
                expected: (77, 77, 77, 0, 0), writes: true),
        Command(name: "user add", arguments: { _, _ in ["user", "add", "newcomer@example.test", "--role", "internal"] },
                expected: (77, 77, 77, 0, 0), writes: true),
        Command(name: "user list", arguments: { _, _ in ["user", "list"] }, expected: (77, 77, 0, 0, 0)),
        Command(name: "user update", arguments: { _, r in ["user", "update", r, "--name", "Renamed"] }, expected: (77, 77, 77, 0, 0), writes: true),
        Command(name: "ticket create --requester", arguments: { _, r in
            ["ticket", "create", "--requester", r, "--subject", "On behalf", "--category", "general-inquiry", "--message", "m"]
        }, expected: (0, 77, 0, 0, 0), writes: true),
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var command: Command
        var actor: Actor
        var target: Target
        var json: Bool
        var testDescription: String {
            "\(command.name) as \(actor.rawValue) on \(target.rawValue)\(json ? " --json" : "")"
        }
    }

    static let cases: [Case] = commands.flatMap { command in
        Actor.allCases.flatMap { actor in
            Target.allCases.flatMap { target in
                [false, true].map { Case(command: command, actor: actor, target: target, json: $0) }
            }
        }
    }

    /// Two requesters' tickets, each with a public reply and an internal note, every text a
    /// unique marker; built once and copied for every case.
    final class World: Sendable {
        static let requesterA = "alice@example.test"
        static let requesterB = "bob@example.test"
        static let onSQLite = Result { try World(engine: .sqlite) }
        static let onPostgreSQL = Result { try World(engine: .postgresql) }

        static func shared(_ engine: Engine) -> Result<World, any Error> {
            engine == .sqlite ? onSQLite : onPostgreSQL
        }

        let sandbox: Sandbox
        /// PostgreSQL: a copy of the world that the cases which must not write run on (the
        /// world's own database is the template of the others' copies, and a database cannot be
        /// copied while someone is connected to it). Making a database per case costs about
        /// 0.8 s (create and drop) against a millisecond for copying a file.
        let shared: Sandbox?
        let numbers: [Target: String]
        /// What the template holds, to compare each case's copy with after a refusal.
        let state: String

        /// The marker texts each ticket holds.
        static func subject(_ t: Target) -> String { "subject-marker-\(t.rawValue)-q7" }
        static func message(_ t: Target) -> String { "message-marker-\(t.rawValue)-k3" }
        static func publicReply(_ t: Target) -> String { "public-reply-marker-\(t.rawValue)-z9" }
        static func internalNote(_ t: Target) -> String { "internal-note-marker-\(t.rawValue)-x1" }

        private init(engine: Engine) throws {
            sandbox = try Sandbox(engine: engine)
            try sandbox.succeed(["user", "add", "staff@example.test", "--role", "internal"])
            try sandbox.succeed(["user", "add", "admin@example.test", "--role", "admin"])
            var numbers: [Target: String] = [:]
            for target in Target.allCases {
                let ticket = try sandbox.createTicket(subject: Self.subject(target), message: Self.message(target),
                                                      extra: ["--requester", target.owner.email!])
                guard let number = ticket["ticketNumber"] as? String else {
                    throw CLIError(description: "ticket create printed no ticketNumber")
                }
                numbers[target] = number
                try sandbox.succeed(["respond", number, "--message", Self.publicReply(target)], as: "staff@example.test")
                try sandbox.succeed(["respond", number, "--internal", "--message", Self.internalNote(target)], as: "staff@example.test")
            }
            self.numbers = numbers
            state = try sandbox.storedState()
            shared = try sandbox.postgres.map { try Sandbox(postgres: try PostgresTestDatabase(template: $0)) }
            // A static is never deinitialised: remove the template's directory (and database) when the run ends.
            // (Each engine's own: the other's world may never have been made.)
            if engine == .sqlite {
                atexit { if case .success(let world) = World.onSQLite { world.sandbox.removeForGood() } }
            } else {
                atexit {
                    if case .success(let world) = World.onPostgreSQL {
                        world.shared?.removeForGood()
                        world.sandbox.removeForGood()
                    }
                }
            }
        }

        /// The desk a case runs on: a copy of the world's (its SQLite file copied, or a PostgreSQL
        /// database made from the world's as a template), or on PostgreSQL, for a case that must
        /// change nothing (a refusal, or a command that only reads), the shared copy, which such
        /// a case then checks is still the world.
        func desk(changes: Bool) throws -> Sandbox {
            if let shared, !changes { return shared }
            if let template = sandbox.postgres {
                return try Sandbox(postgres: try PostgresTestDatabase(template: template))
            }
            let copy = try Sandbox()
            try FileManager.default.copyItem(atPath: sandbox.dbPath, toPath: copy.dbPath)
            return copy
        }
    }

    @Test(arguments: cases, Engine.available)
    func matrix(_ c: Case, engine: Engine) throws {
        // Given the world (a copy of its own when the case may change it): Alice's and Bob's tickets, each with a reply and a note
        let world = try World.shared(engine).get()
        let number = try #require(world.numbers[c.target])
        let relation = Relation(c.actor, c.target)
        let expected = c.command.status(for: relation)
        let sandbox = try world.desk(changes: expected == 0 && c.command.writes)

        // When the actor runs the command on the target
        let result = try sandbox.run(c.command.arguments(number, c.target.owner.email!) + (c.json ? ["--json"] : []),
                                     as: c.actor.email)

        // Then the exit status is the one the role allows
        #expect(result.status == expected, "\(result)")
        if result.status != 0 {
            // A refusal prints nothing on stdout, one line on stderr, and changes nothing
            #expect(result.out == "")
            #expect(result.err.split(separator: "\n").count == 1, "\(result.err)")
            if c.json {
                let code = try result.apiError()["code"] as? String
                #expect(code == (expected == 66 ? "NOT_FOUND" : expected == 77 ? "FORBIDDEN" : code))
            }
            #expect(try sandbox.storedState() == world.state)
        } else if c.command.writes {
            #expect(try sandbox.storedState() != world.state, "a successful \(c.command.name) changed nothing")
        }

        // And a requester never sees another requester's texts or any internal note
        if c.actor.isRequester {
            let output = result.out + result.err
            let other: Target = c.actor == .requesterA ? .ticketOfB : .ticketOfA
            var forbidden = [World.subject(other), World.message(other), World.publicReply(other)]
            forbidden += Target.allCases.map(World.internalNote)
            for marker in forbidden {
                #expect(!output.contains(marker), "leaked \(marker)")
            }
        }

        // And what is shown on success is the target's (so the leak check above could fail)
        if result.status == 0 && c.command.name == "ticket show" {
            #expect(result.out.contains(World.subject(c.target)) && result.out.contains(World.publicReply(c.target)))
            #expect(result.out.contains(World.internalNote(c.target)) == !c.actor.isRequester)
        }
        if result.status == 0 && (c.command.name == "ticket list (all)" || c.command.name == "ticket export") {
            for target in Target.allCases {
                let visible = !c.actor.isRequester || target.owner == c.actor
                #expect(result.out.contains(World.subject(target)) == visible, "\(target)")
            }
            if c.command.name == "ticket export" {
                #expect(result.out.contains(World.internalNote(c.target)) == !c.actor.isRequester)
            } else {
                // A list carries no replies at all (issue 13): no note, whoever asks
                #expect(!result.out.contains(World.internalNote(c.target)))
            }
        }
    }
}
