import ArgumentParser
import Foundation
import SupportCore

struct MailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Take in mail: ingest messages, list what became of them, retry quarantined ones (admin only).",
        subcommands: [Ingest.self, List.self, Show.self, Retry.self]
    )

    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Turn incoming mail into tickets and replies (one message on stdin, or a Maildir or mbox).",
            discussion: """
                For an MTA: a Postfix or Exim alias `help: "|support --db PATH mail ingest"`, or fetchmail/getmail's MDA. \
                Exit status: 0 when the message was stored, threaded, ignored as automatic, recorded as a bounce or \
                quarantined (`mail list --quarantined`); 75 only when the database is busy, locked, full or unwritable, \
                so that the MTA keeps the message and tries again. With --maildir each message is moved to cur/ \
                (flag S) once committed; a re-run never ingests one twice.
                """
        )

        @Option(parsing: .unconditional, help: ArgumentHelp("Ingest every message in this Maildir's new/ and cur/.", valueName: "dir"), completion: .directory)
        var maildir: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Ingest every message of this mbox file.", valueName: "file"), completion: .file())
        var mbox: String?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if maildir != nil && mbox != nil { throw ValidationError("give --maildir or --mbox, not both") }
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                var records: [InboundRecord] = []
                do {
                    let desk = try frontend.desk()
                    let cap = try desk.settings().integer(.mailMaxBytes)
                    // A batch is one transaction (the help desk decides how many); a Maildir's
                    // messages are moved to cur/ only once their batch committed.
                    if let maildir {
                        let source = try MailSource.Maildir(maildir, cap: cap)
                        try desk.ingest(from: source.next, maildirFile: MailSource.uniqueName) { batch throws(SupportError) in
                            for (file, record) in batch {
                                try source.markSeen(file)
                                records.append(record)
                            }
                        }
                    } else if let mbox {
                        let source = try MailSource.Mbox(mbox, cap: cap)
                        try desk.ingest(from: source.next) { batch in records += batch.map(\.record) }
                    } else {
                        let (bytes, size) = try MailSource.readStandardInput(cap: cap)
                        records.append(try desk.ingest(bytes, size: size))
                    }
                } catch let error as SupportError {
                    // For an MTA, a database that cannot take the message now (opening it included)
                    // is a temporary failure: 75 makes it keep the message and try again.
                    switch error {
                    case .busy(let message), .storage(let message): throw SupportError.busy(message)
                    default: throw error
                    }
                }
                frontend.emit(json: JSONRenderer.inboundRecords(records)) { _ in MailRendering.ingestText(records) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Show ingested messages, newest first, with what became of each.")

        @Flag(help: "Only quarantined messages (unreadable or too large).")
        var quarantined = false

        @Option(parsing: .unconditional, help: ArgumentHelp("created, replied, ignored, bounce, quarantined or duplicate.", valueName: "outcome"),
                completion: .list(InboundRecord.Outcome.allCases.map(\.rawValue)))
        var outcome: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Show at most N messages.", valueName: "n"))
        var limit: Int = 100

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if quarantined && outcome != nil { throw ValidationError("give --quarantined or --outcome, not both") }
            try OptionRange.check(limit, 1...10_000, "--limit")
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                var filter: InboundRecord.Outcome? = quarantined ? .quarantined : nil
                if let outcome {
                    guard let parsed = InboundRecord.Outcome(rawValue: outcome.lowercased()) else {
                        let known = InboundRecord.Outcome.allCases.map(\.rawValue).joined(separator: ", ")
                        throw SupportError.invalidInput(field: "outcome", "unknown outcome '\(Validation.printable(outcome))' (expected one of \(known))")
                    }
                    filter = parsed
                }
                let records = try frontend.desk().inboundMail(outcome: filter, limit: limit)
                frontend.emit(json: JSONRenderer.inboundRecords(records)) { _ in MailRendering.listText(records) }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print an ingested message exactly as it was received (with --json: its record and the bytes in base64).")

        @Argument(help: ArgumentHelp("The message id from 'mail list'.", valueName: "id"))
        var id: Int64

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let (record, raw) = try frontend.desk().inboundMessage(id: id)
                if global.json {
                    Output.result(JSONRenderer.inboundMessage(record, raw: raw))
                } else {
                    Output.raw(raw)
                }
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry", abstract: "Ingest a quarantined message again.")

        @Argument(help: ArgumentHelp("The message id from 'mail list'.", valueName: "id"))
        var id: Int64

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                let record = try frontend.desk().retryInbound(id: id)
                frontend.emit(json: JSONRenderer.inboundRecords([record])) { _ in MailRendering.ingestText([record]) }
            }
        }
    }
}
