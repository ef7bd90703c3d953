import ArgumentParser
import SupportCore

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the people of the help desk (admin only; staff may list).",
        subcommands: [Add.self, List.self, Update.self, Remove.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a person: staff, or a requester.")

        @Argument(help: ArgumentHelp("Their email address.", valueName: "email"))
        var email: String

        @Option(parsing: .unconditional, help: "Their name (default: the part of the address before @).")
        var name: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("user, internal or admin (default: user).", valueName: "role"),
                completion: .list(Role.allCases.map(\.rawValue)))
        var role: String = Role.user.rawValue

        @Option(help: ArgumentHelp("The Unix account they work from: run without --as, it acts as them.", valueName: "login"))
        var login: String?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let role = try Role.parse(role)
                let user = try frontend.desk().addUser(email: email, name: name, role: role, login: login)
                frontend.emit(json: JSONRenderer.user(user)) { "Added " + $0.user(user) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List people, by email.")

        @Option(parsing: .unconditional, help: ArgumentHelp("Only this role.", valueName: "role"), completion: .list(Role.allCases.map(\.rawValue)))
        var role: String?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let role = try role.map { try Role.parse($0) }
                let users = try frontend.desk().users(role: role)
                frontend.emit(json: JSONRenderer.users(users)) { $0.users(users) }
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a person's name or role.")

        @Argument(help: ArgumentHelp("Their email address.", valueName: "email"))
        var email: String

        @Option(parsing: .unconditional, help: "A new name.")
        var name: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("user, internal or admin.", valueName: "role"), completion: .list(Role.allCases.map(\.rawValue)))
        var role: String?

        @Option(help: ArgumentHelp("The Unix account they work from: run without --as, it acts as them.", valueName: "login"))
        var login: String?

        @Flag(help: "Unmap their Unix account.")
        var noLogin = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if login != nil && noLogin { throw ValidationError("give --login or --no-login, not both") }
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                let role = try role.map { try Role.parse($0) }
                let loginChange: String?? = noLogin ? .some(nil) : login.map { .some($0) }
                let user = try frontend.desk().updateUser(email: email, name: name, role: role, login: loginChange)
                frontend.emit(json: JSONRenderer.user(user)) { "Updated " + $0.user(user) }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a person: they can no longer act; their tickets, replies and history stay.",
            discussion: """
                Tickets assigned to them are unassigned (each recorded in the ticket's history), their login mapping \
                and API tokens end, and mail from their address is treated as a requester's. The last admin cannot be \
                removed. 'support user add EMAIL' brings them back.
                """
        )

        @Argument(help: ArgumentHelp("Their email address.", valueName: "email"))
        var email: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let (user, unassigned) = try frontend.desk().removeUser(email: email)
                frontend.emit(json: JSONRenderer.userRemoved(user, unassigned: unassigned)) { _ in
                    "Removed \(user.email)" + (unassigned.isEmpty ? "." : "; unassigned \(unassigned.map(\.description).joined(separator: ", ")).")
                }
            }
        }
    }
}
