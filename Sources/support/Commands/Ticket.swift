import ArgumentParser

struct Ticket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket",
        abstract: "Open, find, show, change and delete tickets.",
        subcommands: [Create.self, List.self, Show.self, Update.self, Close.self, Reopen.self, Delete.self, History.self, Export.self, Import.self]
    )
}
