import Foundation

extension HelpDesk {
    /// The outbox, newest first (admin only: it holds every requester's mail).
    public func outbox(status: OutboxMessage.Status?) throws(SupportError) -> [OutboxMessage] {
        try requireAdmin("read the outbox")
        return try database.outbox(status: status)
    }

    public func retryMail(id: Int64?) throws(SupportError) -> Int {
        try requireAdmin("retry mail")
        return try database.retryOutbox(id: id)
    }

    /// What a flush would send now, without sending or changing anything.
    public func dueMail(limit: Int?) throws(SupportError) -> [OutboxDelivery] {
        try requireAdmin("flush mail")
        return try database.dueOutbox(limit: limit ?? 1_000_000)
    }

    /// A flusher over the configured mail program, or `sendmail` for this run only.
    /// With `strictModes`, a program named by the file (not the built-in default) is run only
    /// when nobody but the flushing user or root can have written the file (`DatabaseTrust`).
    public func mailFlusher(sendmail: String?, jobs: Int, timeout: TimeInterval, strictModes: Bool = true) throws(SupportError) -> OutboxFlusher {
        try requireAdmin("flush mail")
        guard (1...64).contains(jobs) else { throw .invalidInput(field: "jobs", "\(field: "jobs") must be from 1 to 64") }
        let settings = try database.settings()
        let commandLine: String
        if let sendmail {
            commandLine = try SettingKey.sendmailCommand.normalize(sendmail)
        } else {
            commandLine = settings.text(.sendmailCommand)
            if strictModes, commandLine != SettingKey.sendmailCommand.defaultValue, let path = database.path,
               let problem = DatabaseTrust.problem(path: path) {
                throw .configuration("""
                    refusing to run sendmail_command from this database: \(problem), so someone else may have chosen the \
                    program; flush as the file's owner, fix the permissions, or set SUPPORT_STRICT_MODES=no if you mean it
                    """)
            }
        }
        let transport = try SendmailTransport(commandLine: commandLine, timeout: timeout)
        let attempts = settings.integer(.mailMaxAttempts)
        return OutboxFlusher(store: database, transport: transport, maxAttempts: attempts, jobs: jobs, logger: logger)
    }
}
