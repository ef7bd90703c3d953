import ArgumentParser
import Foundation
import SupportCore

struct Notify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Send and inspect the outbox of mail (admin only).",
        subcommands: [Flush.self, List.self, Retry.self]
    )

    struct Flush: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "flush",
            abstract: "Pipe due messages to the mail program (run it from cron).",
            discussion: """
                Each message is piped to sendmail_command (default /usr/sbin/sendmail -i) with -f SENDER -- RECIPIENT. \
                Two flushes at once never send one message twice; a killed flush loses nothing. \
                Exit status: 0 all due messages sent (or none due), 75 some will be retried later or failed, \
                78 the mail program cannot be run (nothing was attempted).
                """
        )

        @Option(parsing: .unconditional, help: ArgumentHelp("Send at most N messages.", valueName: "n"))
        var limit: Int?

        @Flag(help: "Print what would be sent; send nothing, change nothing.")
        var dryRun = false

        @Option(parsing: .unconditional, help: ArgumentHelp("Mail programs to run at once (whatever the number of CPUs), 1 to 64.", valueName: "n"))
        var jobs: Int = 1

        @Option(parsing: .unconditional, help: ArgumentHelp("The mail program for this run, instead of sendmail_command.", valueName: "command"))
        var sendmail: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Seconds one run of the mail program may take before it is killed.", valueName: "seconds"))
        var timeout: Int = 60

        @Flag(help: "Print nothing on success.")
        var quiet = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if let limit { try OptionRange.check(limit, 1...TicketQuery.maximumPage, "--limit") }
            try OptionRange.check(jobs, 1...64, "--jobs")
            try OptionRange.check(timeout, 1...3600, "--timeout", unit: "seconds")
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                let desk = try frontend.desk()
                if dryRun {
                    let due = try desk.dueMail(limit: limit)
                    frontend.emit(json: JSONRenderer.dueMessages(due)) { _ in NotifyRendering.dueText(due) }
                    return
                }
                var flusher = try desk.mailFlusher(sendmail: sendmail, jobs: jobs, timeout: TimeInterval(timeout),
                                                 strictModes: Frontend.strictModes)
                // For tests of the lease: a flush that outlives it many times over must keep it.
                if let seconds = ProcessInfo.processInfo.environment["SUPPORT_MAIL_LEASE_SECONDS"].flatMap(Double.init), seconds > 0 {
                    flusher.lease = seconds
                }
                let bar = ProgressBar(enabled: !quiet && !global.json && isatty(STDERR_FILENO) == 1)
                let summary = try flusher.flush(limit: limit) { done, total in bar.update(done, total) }
                bar.finish()
                if let problem = summary.configurationProblem {
                    throw SupportError.configuration(Wording(problem))
                }
                if global.json {
                    Output.result(JSONRenderer.flushSummary(summary))
                } else if !quiet || summary.retried + summary.failed > 0 {
                    Output.result(NotifyRendering.summaryText(summary))
                }
                if summary.retried + summary.failed > 0 { throw ExitCode(75) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Show the outbox with attempts and last errors.")

        @Option(parsing: .unconditional, help: ArgumentHelp("pending, sending, sent, failed or bounced.", valueName: "status"),
                completion: .list(OutboxMessage.Status.allCases.map(\.rawValue)))
        var status: String?

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Frontend.run(global) { frontend in
                var filter: OutboxMessage.Status?
                if let status {
                    guard let parsed = OutboxMessage.Status(rawValue: status.lowercased()) else {
                        throw SupportError.invalidInput(field: "status", "unknown status '\(Validation.printable(status))' (expected pending, sending, sent, failed or bounced)")
                    }
                    filter = parsed
                }
                let desk = try frontend.desk()
                let messages = try desk.outbox(status: filter)
                // An empty filtered list says what it left out: "No failed messages (3 pending)."
                let others = filter != nil && messages.isEmpty && !global.json ? try desk.outbox(status: nil) : []
                frontend.emit(json: JSONRenderer.outbox(messages)) {
                    NotifyRendering.listText(messages, filter: filter, others: others, renderer: $0)
                }
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry", abstract: "Put a failed message (or all with --failed) back in the queue.")

        @Argument(help: ArgumentHelp("The message id from 'notify list'.", valueName: "id"))
        var id: Int64?

        @Flag(help: "Retry every failed message.")
        var failed = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if (id == nil) == !failed { throw ValidationError("give a message ID or --failed") }
        }

        func run() throws {
            try Frontend.run(global) { frontend in
                let count = try frontend.desk().retryMail(id: failed ? nil : id)
                frontend.emit(json: JSONRenderer.count("requeued", count)) { _ in
                    "\(count) message\(count == 1 ? "" : "s") queued again."
                }
            }
        }
    }
}
