import ArgumentParser
import Foundation
import SupportCore

extension Ticket {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a ticket with its conversation (internal notes for staff only).",
            aliases: ["view"]
        )

        @Argument(help: ArgumentHelp("The ticket: ST-2026-042, or 42 / #42 (this year's 42nd, else the only one numbered 42).", valueName: "ticket"))
        var number: String

        @Option(parsing: .unconditional, help: ArgumentHelp("Show the newest N replies (default \(Show.defaultReplies)).", valueName: "n"))
        var replies: Int?

        @Flag(help: "Show every reply, however many.")
        var all = false

        @OptionGroup var global: GlobalOptions

        /// Replies shown by default: a ticket may have thousands.
        static let defaultReplies = 50

        func validate() throws {
            if all, replies != nil { throw ValidationError("give --all or --replies, not both") }
            if let replies { try OptionRange.check(replies, 1...100_000, "--replies") }
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                let number = try desk.ticketReference(number)
                let newest = all ? nil : (replies ?? Show.defaultReplies)
                let out = LineWriter()
                // Written reply by reply as they are read: memory stays flat in their number and size.
                var frame: JSONRenderer.StreamedTicket?
                var written = 0
                var counts = (total: 0, shown: 0)
                var attachments: [TicketAttachment] = []
                let renderer = frontend.renderer
                try desk.showTicket(number, newest: newest, head: { ticket, total, shown in
                    counts = (total, shown)
                    attachments = ticket.attachments
                    if frontend.json {
                        // The seed's shape exactly; what is left out is said on stderr.
                        frame = JSONRenderer.streamedTicket(ticket, line: false)
                        out.append(frame!.head)
                    } else {
                        out.append(renderer.ticketHead(ticket, total: total, shown: shown))
                    }
                }, reply: { reply in
                    out.append(frontend.json ? frame!.reply(reply, first: written == 0) : "\n" + renderer.reply(reply, attachments: attachments))
                    written += 1
                })
                if frontend.json {
                    out.write(frame!.tail(replies: written))
                    if counts.shown < counts.total {
                        Output.note("support: showing the newest \(counts.shown) of \(counts.total) replies; \(Frontend.showAllHint)")
                    }
                } else {
                    if let footer = renderer.ticketFooter(total: counts.total, shown: counts.shown) { out.append("\n" + footer) }
                    out.write("")
                }
                out.flush()
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete a ticket and its replies (admin only).",
            discussion: """
                On a terminal it asks first (y/N; anything but y keeps the ticket, exit 1); elsewhere --yes is \
                required (exit 64 without it, nothing deleted). The audit trail keeps the whole ticket as the line \
                `ticket export` writes; to restore it, with its number: \
                support audit --ticket ST-2026-042 --deleted-tickets | support ticket import
                """
        )

        @Argument(help: ArgumentHelp("The ticket: ST-2026-042, or 42 / #42 (this year's 42nd, else the only one numbered 42).", valueName: "ticket"))
        var number: String

        @Flag(name: [.customShort("y"), .long], help: "Delete without asking (needed when stdin is not a terminal).")
        var yes = false

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                let number = try desk.ticketReference(number)
                // Checked before asking: nobody is asked about a ticket they may not delete.
                let ticket = try desk.ticketToDelete(number)
                if !yes {
                    // A script (no terminal to answer on) must say so: a delete is never implied.
                    guard isatty(STDIN_FILENO) == 1 else {
                        throw ValidationError("ticket delete needs --yes when stdin is not a terminal; nothing was deleted")
                    }
                    Output.prompt("Delete \(number) \"\(TerminalText.sanitize(ticket.subject))\" and its replies? [y/N] ")
                    let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
                    guard answer == "y" || answer == "yes" else {
                        Output.note("Nothing deleted.")
                        throw ExitCode(1)
                    }
                }
                try desk.deleteTicket(number)
                frontend.emit(json: JSONRenderer.success()) { _ in "Deleted \(number)." }
            }
        }
    }
}
