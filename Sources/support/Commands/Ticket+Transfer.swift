import ArgumentParser
import Foundation
import SupportCore

extension Ticket {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write matching tickets as NDJSON, one per line in the --json shape, oldest first.",
            discussion: """
                Streams reply by reply and file by file, in constant memory. Each ticket's attachments carry their \
                content in base64 ("content"), so that ticket import restores them. A requester exports their own \
                tickets, without internal notes or their files.
                """
        )

        @OptionGroup var filters: TicketFilterOptions

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let query = try filters.query()
                let out = LineWriter()
                // Reply by reply: a ticket is never held whole (memory flat in its replies).
                var frame: JSONRenderer.StreamedTicket?
                var current: SupportCore.Ticket?
                var replies = 0
                try frontend.desk().exportTickets(query, ticket: { ticket in
                    frame = JSONRenderer.streamedTicket(ticket, line: true)
                    current = ticket
                    replies = 0
                    out.append(frame!.head)
                }, reply: { reply in
                    out.append(frame!.reply(reply, first: replies == 0))
                    replies += 1
                }, end: { files in
                    guard !files.attachments.isEmpty, var ticket = current else {
                        out.write(frame!.tail(replies: replies))
                        return
                    }
                    // Each file's content in base64, as its blob is read: one piece at a time.
                    ticket.attachments = files.attachments
                    let pieces = JSONRenderer.exportTail(ticket)
                    out.append(pieces[0])
                    var encoded: [UInt8] = []
                    for index in files.attachments.indices {
                        var encoder = Base64.Encoder()
                        out.append("\"")
                        try files.read(index) { bytes in
                            encoder.append(bytes, to: &encoded)
                            out.append(String(decoding: encoded, as: UTF8.self))
                            encoded.removeAll(keepingCapacity: true)
                        }
                        encoder.finish(to: &encoded)
                        out.append(String(decoding: encoded, as: UTF8.self) + "\"")
                        encoded.removeAll(keepingCapacity: true)
                        if index + 1 < files.attachments.count { out.append(pieces[index + 1]) }
                    }
                    out.write(pieces[files.attachments.count])
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
                Attachments are restored from their base64 "content", checked against their sha256 and the attachment \
                and mail size settings; identical content is stored once. \
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
                if global.json {
                    // With --json, stderr carries errors as JSON only (one APIError, as every
                    // command's failures), never the text lines a person reads.
                    if !summary.errors.isEmpty {
                        Output.note(JSONRenderer.importFailure(summary))
                    }
                } else {
                    for error in summary.errors {
                        Output.note("line \(error.line): \(TerminalText.sanitize(error.message))")
                    }
                }
                frontend.emit(json: JSONRenderer.importSummary(summary)) { _ in
                    "Imported \(summary.imported) ticket\(summary.imported == 1 ? "" : "s")" +
                        (summary.errors.isEmpty ? "." : "; \(summary.errors.count) line\(summary.errors.count == 1 ? "" : "s") refused.")
                }
                if !summary.errors.isEmpty { throw ExitCode(65) }
            }
        }
    }
}
