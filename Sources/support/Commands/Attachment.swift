import ArgumentParser
import SupportCore

struct AttachmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attachment",
        abstract: "Fetch files kept with tickets (ticket show lists them with their ids).",
        subcommands: [Get.self]
    )

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Write one attachment to a file, or to stdout.",
            discussion: """
                Without --output the bytes go to stdout (binary content is refused on a terminal). --output never \
                writes through a symlink and keeps an existing file unless --force; the file appears whole or not at all.
                """
        )

        @Argument(help: ArgumentHelp("The attachment's id, as ticket show lists it.", valueName: "id"))
        var id: Int64

        @Option(name: [.short, .long], parsing: .unconditional, help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"), completion: .file())
        var output: String?

        @Flag(help: "Replace the --output file if it exists.")
        var force = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if force && output == nil { throw ValidationError("--force needs --output") }
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                if let output {
                    try AttachmentFiles.save(id: id, desk: desk, to: output, force: force)
                    let (attachment, _) = try desk.attachment(id: id)
                    if frontend.json {
                        Output.result(JSONRenderer.attachment(attachment))
                    } else {
                        Output.note("Wrote \(attachment.size) bytes to \(Validation.printable(output, limit: 200)).")
                    }
                } else {
                    try AttachmentFiles.print(id: id, desk: desk)
                }
            }
        }
    }
}
