import ArgumentParser
import Foundation
import SupportCore

extension Ticket {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write matching tickets as NDJSON, one per line in the --json shape, oldest first.",
            discussion: "Streams reply by reply, in constant memory. A requester exports their own tickets, without internal notes."
        )

        @OptionGroup var filters: TicketFilterOptions

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let query = try filters.query()
                let out = LineWriter()
                // Reply by reply: a ticket is never held whole (memory flat in its replies).
                var frame: JSONRenderer.StreamedTicket?
                var replies = 0
                try frontend.desk().exportTickets(query, ticket: { ticket in
                    frame = JSONRenderer.streamedTicket(ticket, line: true)
                    replies = 0
                    out.append(frame!.head)
                }, reply: { reply in
                    out.append(frame!.reply(reply, first: replies == 0))
                    replies += 1
                }, end: {
                    out.write(frame!.tail(replies: replies))
                })
                out.flush()
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Read tickets as NDJSON (the export format) from stdin or --file (admin only).",
            discussion: """
                Keeps a given ticketNumber (refusing one that exists) or assigns the next of its year; keeps \
                timestamps; creates unknown people with the role the file gives (requester by default); sends no mail. \
                A bad line is reported with its number and skipped; exit status 65 when any line was refused.
                """
        )

        @Option(parsing: .unconditional, help: ArgumentHelp("Read this file instead of stdin.", valueName: "path"), completion: .file())
        var file: String?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                let handle: FileHandle
                if let file {
                    guard let opened = FileHandle(forReadingAtPath: file) else {
                        throw SupportError.notFound("cannot read \(file)")
                    }
                    handle = opened
                } else {
                    handle = FileHandle.standardInput
                }
                let summary = try desk.importTickets(readLines: LineReader(handle: handle))
                let refused = summary.errors.map { JSONValue.object([("line", .int(Int64($0.line))), ("error", .string($0.message))]) }
                if global.json {
                    // With --json, stderr carries errors as JSON only (one APIError, as every
                    // command's failures), never the text lines a person reads.
                    if !summary.errors.isEmpty {
                        Output.note(JSONValue.object([
                            ("error", .string("\(summary.errors.count) line\(summary.errors.count == 1 ? "" : "s") refused")),
                            ("code", .string(SupportError.invalidInput(field: nil, "").code)),
                            ("details", .object([("lines", .array(refused))])),
                        ]).serialized(pretty: false))
                    }
                } else {
                    for error in summary.errors {
                        Output.note("line \(error.line): \(TerminalText.sanitize(error.message))")
                    }
                }
                frontend.emit(json: JSONValue.object([
                    ("imported", .int(Int64(summary.imported))),
                    ("errors", .array(refused)),
                ]).serialized(pretty: true)) { _ in
                    "Imported \(summary.imported) ticket\(summary.imported == 1 ? "" : "s")" +
                        (summary.errors.isEmpty ? "." : "; \(summary.errors.count) line\(summary.errors.count == 1 ? "" : "s") refused.")
                }
                if !summary.errors.isEmpty { throw ExitCode(65) }
            }
        }
    }
}
