import ArgumentParser
import SupportCore

struct Respond: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond",
        abstract: "Reply on a ticket, or add an internal note (staff only).",
        discussion: "The message comes from --message, from stdin with --message -, or from $EDITOR on a terminal."
    )

    @Argument(help: ArgumentHelp("The ticket: ST-2026-042, or 42 / #42 (this year's 42nd, else the only one numbered 42).", valueName: "ticket"))
    var number: String

    @Option(parsing: .unconditional, help: ArgumentHelp("The reply, or - to read it from stdin.", valueName: "text"))
    var message: String?

    @Flag(help: "An internal note: never shown or mailed to the requester.")
    var `internal` = false

    @Flag(inversion: .prefixedNo, help: "Mail the reply to the requester (default: on for public replies).")
    var notify = true

    @Option(name: .customLong("attach"), parsing: .unconditionalSingleValue, help: ArgumentHelp("Attach this file (repeat for more); limits: attachment_max_bytes, attachment_max_total_bytes.", valueName: "file"), completion: .file())
    var attach: [String] = []

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Frontend.run(global) { frontend in
            let desk = try frontend.desk()
            let number = try desk.ticketReference(number)
            let text = try MessageInput.read(message)
            let files = try AttachmentFiles.read(attach, desk: desk)
            let response = try desk.respond(to: number, message: text, isInternal: `internal`, notify: notify, attachments: files)
            frontend.emit(json: JSONRenderer.response(response, on: number)) { $0.response(response, on: number) }
        }
    }
}
