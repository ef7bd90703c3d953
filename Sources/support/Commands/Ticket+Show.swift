import ArgumentParser
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
                        Output.note("support: showing the newest \(counts.shown) of \(counts.total) replies; --all shows every one")
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
            abstract: "Delete a ticket and its replies (admin only)."
        )

        @Argument(help: ArgumentHelp("The ticket: ST-2026-042, or 42 / #42 (this year's 42nd, else the only one numbered 42).", valueName: "ticket"))
        var number: String

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                let number = try desk.ticketReference(number)
                try desk.deleteTicket(number)
                frontend.emit(json: JSONRenderer.success()) { _ in "Deleted \(number)." }
            }
        }
    }
}
