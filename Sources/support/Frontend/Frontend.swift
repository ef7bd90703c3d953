import ArgumentParser
import Foundation
import Logging
import SupportCore

/// What every command does around its own work: read the environment, open the database, know
/// who is acting, render, and turn failures into one clear line and the exit code of SPEC.
struct Frontend {
    let options: GlobalOptions
    let logger: Logger

    var json: Bool { options.json }

    /// Runs `body`; a failure prints one line (an `APIError` with `--json`) and exits with its code.
    static func run(_ options: GlobalOptions, _ body: (Frontend) throws -> Void) throws {
        LoggingBootstrap.once(verbose: options.verbose)
        let frontend = Frontend(options: options, logger: Logger(label: "support"))
        do {
            try body(frontend)
        } catch let error as SupportError {
            Output.error(error, json: options.json)
            throw ExitCode(error.exitCode)
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            let failure = SupportError.internalError("unexpected failure: \(error)")
            Output.error(failure, json: options.json)
            throw ExitCode(failure.exitCode)
        }
    }

    /// One variable, read with getenv: `ProcessInfo.environment` builds a dictionary of the whole
    /// environment on every call (5 % of a `ticket show` run, called six times).
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Which desk this command runs on (DeskChoice: `--db`, `--config`, SUPPORT_DB, the config file, the default).
    func deskChoice() throws(SupportError) -> DeskChoice {
        try DeskChoice.resolve(db: options.db, config: options.config, environment: Self.environment)
    }

    /// Whether this binary links the PostgreSQL driver (`support-pg`; `support` hands over to it).
    static var canReachPostgres: Bool { PostgresConnector.open != nil }

    /// The desk's storage: a PostgreSQL database for a `postgresql://` desk or a config file's
    /// `[postgres]` (in `support-pg`, which `support` hands such a desk to), else the SQLite file.
    func openStorage() throws -> DeskStorage {
        let choice = try deskChoice()
        let timeout = Double(Self.environment("SUPPORT_BUSY_TIMEOUT") ?? "") ?? 5
        switch choice {
        case .sqlite(let path, let isDefault):
            return .sqlite(try openDatabase(path: path, isDefault: isDefault))
        case .postgresAddress(let address):
            return try withMigrationProgress { handler in
                try .postgres(address, environment: ProcessInfo.processInfo.environment, home: Self.environment("HOME"),
                              busyTimeout: timeout, logger: logger, migrationProgress: handler)
            }
        case .postgresConfig(let settings, let file):
            logger.debug("the desk is on PostgreSQL, as the config file says", metadata: ["file": "\(file)"])
            return try withMigrationProgress { handler in
                try .postgres(settings, environment: ProcessInfo.processInfo.environment, home: Self.environment("HOME"),
                              busyTimeout: timeout, logger: logger, migrationProgress: handler)
            }
        }
    }

    /// Opens a PostgreSQL desk with its migration shown on a terminal (the store reports only
    /// for a desk an earlier version made: making every search document again takes minutes
    /// at 1,000,000 tickets, docs/benchmarks.md).
    private func withMigrationProgress(_ open: (MigrationProgressHandler?) throws -> DeskStorage) throws -> DeskStorage {
        let progress: MigrationProgressLine? = isatty(STDERR_FILENO) == 1 ? MigrationProgressLine() : nil
        do {
            var handler: MigrationProgressHandler?
            if let progress { handler = { progress.show($0) } }
            let storage = try open(handler)
            progress?.finish()
            return storage
        } catch {
            progress?.finish(completed: false)
            throw error
        }
    }

    func openDatabase() throws -> AppDatabase {
        guard case .sqlite(let path, let isDefault) = try deskChoice() else {
            throw SupportError.configuration("this command runs on an SQLite desk only in this version, not on PostgreSQL")
        }
        return try openDatabase(path: path, isDefault: isDefault)
    }

    private func openDatabase(path: String, isDefault: Bool) throws -> AppDatabase {
        guard !path.isEmpty else { throw SupportError.invalidInput(field: "db", "--db must not be empty") }
        let timeout = Double(Self.environment("SUPPORT_BUSY_TIMEOUT") ?? "") ?? 5
        var info = stat()
        let isNew = stat(path, &info) != 0 || info.st_size == 0
        // An existing file this version must migrate may take a while (7 s at 100,000 tickets for
        // the notes' index, docs/benchmarks.md): a person at a terminal is told which step runs
        // and how far it is.
        // Nothing for a new file (instant), nor when stderr is not a terminal (scripts, cron).
        let progress: MigrationProgressLine? = !isNew && isatty(STDERR_FILENO) == 1 ? MigrationProgressLine() : nil
        var handler: MigrationProgressHandler?
        if let progress { handler = { progress.show($0) } }
        let database: AppDatabase
        do {
            database = try AppDatabase.open(path: path, createDirectory: isDefault, busyTimeout: max(0, min(timeout, 600)), logger: logger,
                                            migrationProgress: handler)
        } catch {
            progress?.finish(completed: false)
            throw error
        }
        progress?.finish()
        if isNew, !json, isatty(STDERR_FILENO) == 1 {
            // Said once, to a person: the file is made on first use, and a typo in --db would
            // otherwise quietly start a second, empty desk.
            Output.note("support: created a new help desk at \(database.path ?? path) (another one: --db PATH or SUPPORT_DB)")
        }
        return database
    }

    /// The help desk as the acting person sees it.
    func desk() throws -> HelpDesk {
        let database = try openStorage()
        var email = options.actAs
        // Set but empty fails closed, as `--as ''` does: a wrapper that meant to pin someone and
        // expanded an empty variable must not make its caller the admin operator.
        if email == nil, let fromEnvironment = Self.environment("SUPPORT_AS") {
            email = fromEnvironment
        }
        let actor: Actor
        if let email {
            actor = try Self.actor(named: email, in: database)
        } else {
            // On PostgreSQL there is no file to own: whoever holds the desk role's credentials
            // can change anything with psql already, so they are its local operator.
            let owns = database.isPostgres || Self.ownsDatabase(database.path)
            actor = try Self.defaultActor(login: Self.invokingLogin, ownsDatabase: owns, in: database)
        }
        return HelpDesk(storage: database, actor: actor, logger: logger)
    }

    /// `--as EMAIL` (or `SUPPORT_AS`): that person, whose failure names the flag.
    static func actor(named email: String, in database: DeskStorage) throws(SupportError) -> Actor {
        do {
            return try HelpDesk.person(email: email, in: database)
        } catch .unknownActor(let wording) {
            throw .unknownActor("--as: \(wording.text(.commandLine))")
        }
    }

    /// Who acts when no `--as` is given: the person mapped to the invoking Unix `login`
    /// (`user add --login`), else the local operator, but only for whoever owns the database
    /// file (or root): anyone else who can write it is told to name themself.
    static func defaultActor(login: String?, ownsDatabase: Bool, in database: DeskStorage) throws(SupportError) -> Actor {
        if let login, let person = try HelpDesk.person(login: login, in: database) {
            return person
        }
        guard ownsDatabase else {
            let who = login.map { "your login \($0) is" } ?? "your account is"
            throw .unknownActor("""
                no --as given, and \(who) not mapped to a person of this desk: use --as EMAIL, or an admin runs \
                'support user update EMAIL --login \(login ?? "NAME")'
                """)
        }
        return .localOperator
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The name of the real user running support (getuid: whom sudo or ssh runs it as).
    static var invokingLogin: String? {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// Whether this process may act as the file's local operator: it owns the file, or is root.
    static func ownsDatabase(_ path: String?) -> Bool {
        guard geteuid() != 0 else { return true }
        var info = stat()
        guard let path, stat(path, &info) == 0 else { return false }
        return info.st_uid == geteuid()
    }

    /// `SUPPORT_STRICT_MODES=no`: run a database's `sendmail_command` whoever could write the file.
    static var strictModes: Bool { environment("SUPPORT_STRICT_MODES") != "no" }

    /// What `ticket show` says when it leaves replies out.
    static let showAllHint = "--all shows every one"

    var renderer: TerminalRenderer {
        let choice = options.color.flatMap(ColorChoice.init(rawValue:)) ?? .auto
        let color = choice.isOn(stdoutIsTerminal: isatty(STDOUT_FILENO) == 1, environment: Self.environment)
        return TerminalRenderer(style: TerminalStyle(color: color, width: Self.terminalWidth), showAllHint: Self.showAllHint)
    }

    static var terminalWidth: Int {
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let columns = environment("COLUMNS").flatMap(Int.init), columns > 0 { return columns }
        // Not a terminal: nothing to fit, so cut nothing.
        return 100_000
    }

    /// Prints the JSON form with `--json`, the terminal form otherwise.
    func emit(json jsonText: @autoclosure () -> String, text: (TerminalRenderer) -> String) {
        Output.result(json ? jsonText() : text(renderer))
    }
}

enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false

    static func once(verbose: Bool) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .warning
            return handler
        }
    }
}
