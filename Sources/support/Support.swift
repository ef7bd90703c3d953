import ArgumentParser

struct Support: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "support",
        abstract: "A help desk in one command: tickets, replies, users, settings and mail over one SQLite file.",
        discussion: """
            The database is --db (a file or a postgresql:// address), else --config FILE's, else $SUPPORT_DB, \
            else the desk of the config file ($SUPPORT_CONFIG, ~/.config/support/config or /etc/support/config: \
            a [postgres] or [sqlite] section, mode 0600), else $XDG_DATA_HOME/support/support.db \
            (~/.local/share/support/support.db); it is created on first use. Act as someone with \
            --as EMAIL (or $SUPPORT_AS); without it you are the person mapped to your login \
            ('support user add EMAIL --login NAME'), else, if you own the file, its local operator (an admin).
            Every command also takes --db PATH, --config FILE, --as EMAIL, --json (results as JSON, errors as JSON on stderr) \
            and --verbose, before or after its name.
            Exit status: 0 ok, 64 usage, 65 invalid input, 66 not found, 67 unknown --as, \
            74 database error, 75 try again later (rate limit, busy), 77 not allowed, 78 configuration, 70 bug.
            """,
        version: Support.version,
        subcommands: [Ticket.self, Respond.self, Settings.self, UserCommand.self, Notify.self, MailCommand.self, AttachmentCommand.self, Stats.self, Audit.self, Serve.self, Token.self, DatabaseCommand.self]
    )

    static let version = "0.3.0"
}
