import Foundation
import Logging
import PostgresNIO
import SupportCore
import Synchronization

/// Sets the core's `PostgresConnector.open` to this driver. Called first thing by the binaries
/// that link it (`support-pg`, `support-server`); `support` never links it (SWIFT-FACTS.md: NIO
/// costs every command about 3 ms of start-up) and hands a `postgresql://` `--db` to `support-pg`.
public enum PostgresDriver {
    public static func install() {
        PostgresConnector.open = { location in try NIOPostgresSession.connect(to: location) }
    }
}

/// One PostgreSQL connection used synchronously (the store's protocol is synchronous,
/// docs/architecture.md): the work runs on a NIO event loop and the calling thread, which is never
/// one of its threads (a command's main thread, a server's cooperative pool), waits for it.
final class NIOPostgresSession: PostgresSession {
    private let connection: PostgresConnection
    private let location: PostgresLocation
    private let logger: Logger

    private let closing = CloseWatch()
    /// The event loop's executor, for the tasks of kept statements.
    private let executor: EventLoopTaskExecutor
    /// Which kept statements succeeded on this connection, and which go unnamed here.
    private let kept = Mutex(KeptOnConnection())
    /// Statements sent (`send`) and not yet waited for.
    private let pending = Mutex<[EventLoopFuture<Void>]>([])

    private init(connection: PostgresConnection, location: PostgresLocation, logger: Logger) {
        self.connection = connection
        self.location = location
        self.logger = logger
        self.executor = EventLoopTaskExecutor(connection.eventLoop)
        // Once per session (a server's pooled session runs millions of statements): when the
        // connection ends, the statement waiting then, if any, is given up half a second later,
        // time enough for its own error (the server's reason) to come first.
        let closing = closing
        let eventLoop = connection.eventLoop
        connection.closeFuture.whenComplete { _ in
            eventLoop.scheduleTask(in: .milliseconds(500)) { closing.closed() }
        }
    }

    deinit {
        // A session dropped without close() still says goodbye to the server (postgres-nio also
        // asserts that a connection is closed before it goes): waited for on an ordinary thread
        // (a command's end), else the connection is kept until its close completes.
        guard !connection.isClosed else { return }
        if MultiThreadedEventLoopGroup.currentEventLoop == nil {
            try? connection.close().wait()
        } else {
            let connection = connection
            connection.close().whenComplete { _ in _ = connection }
        }
    }

    /// The driver's own log stays quiet: at a lower level it would print connection details on
    /// stderr in the middle of a command's output. (It never holds the password in what it logs,
    /// and this keeps it so should that change.)
    static func quietLogger() -> Logger {
        var logger = Logger(label: "support.postgres")
        logger.logLevel = .critical
        return logger
    }

    static func connect(to location: PostgresLocation) throws -> NIOPostgresSession {
        let logger = quietLogger()
        var configuration: PostgresConnection.Configuration
        switch location.endpoint {
        case .tcp(let host, let port):
            configuration = .init(host: host, port: port, username: location.user, password: location.password,
                                  database: location.database, tls: try tls(for: location))
        case .unixSocket:
            // A socket is a file on this machine: TLS would protect nothing (libpq does not use it there either).
            configuration = .init(unixSocketPath: location.socketPath ?? "", username: location.user,
                                  password: location.password, database: location.database)
        }
        // libpq's connect_timeout=0 means wait for ever; a day stands for that.
        let timeout = location.connectTimeout > 0 ? location.connectTimeout : 86_400
        configuration.options.connectTimeout = .seconds(Int64(timeout))
        configuration.options.additionalStartupParameters = [("application_name", "support")]

        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let future = PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 1, logger: logger)
        // postgres-nio's timeout covers the TCP connect only; libpq's covers the whole start-up
        // (TLS, authentication), and a server that accepts and never answers must not hang a
        // cron job, so the wait has the same limit. A connection that completes after it is closed.
        let outcome = WaitBox<Result<PostgresConnection, any Error>>()
        future.whenComplete { outcome.set($0) }
        guard let result = outcome.wait(seconds: Double(timeout)) else {
            future.whenSuccess { connection in connection.close().whenComplete { _ in } }
            throw SupportError.busy("cannot reach PostgreSQL at \(location): no answer within \(timeout) s (connect_timeout)")
        }
        switch result {
        case .success(let connection):
            return NIOPostgresSession(connection: connection, location: location, logger: logger)
        case .failure(let error):
            throw connectionFailure(error, location: location)
        }
    }

    /// libpq's modes over postgres-nio's. Neither `prefer` nor `require` checks the server's
    /// certificate, as in libpq (whose `verify-ca`/`verify-full` are the modes that do, and
    /// `PostgresLocation` does not offer them): the traffic is encrypted against someone who
    /// listens, not against someone who can stand in the middle of the connection. A desk on
    /// another machine over an untrusted network wants a tunnel or a verified mode.
    static func tls(for location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        if location.tls == .disable { return .disable }
        var settings = TLSConfiguration.makeClientConfiguration()
        settings.certificateVerification = .none
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: settings)
        } catch {
            throw SupportError.configuration("cannot set up TLS for PostgreSQL at \(location): \(error)")
        }
        return location.tls == .require ? .require(context) : .prefer(context)
    }

    func query(_ sql: String, _ binds: [PostgresValue]) throws -> [[PostgresValue]] {
        try queries([(sql, binds)])[0]
    }

    /// The statements sent one after the other without waiting in between (the connection runs
    /// them in order), then one wait for all their answers: the calling thread sleeps and wakes
    /// once instead of once a statement (a server's ticket read: its three reads, docs/benchmarks.md).
    func queries(_ statements: [(sql: String, binds: [PostgresValue])]) throws -> [[[PostgresValue]]] {
        let answers = statements.map { start($0.sql, $0.binds) }
        do {
            try settlePending()
        } catch {
            throw statementFailure(error)
        }
        let all = answers.count == 1 ? answers[0].map { [Result.success($0)] }
            : EventLoopFuture.whenAllComplete(answers, on: connection.eventLoop)
        return try waitForAnswer(all).map { try $0.get() }
    }

    /// A statement on its way: its rows decoded, or its failure as `statementFailure` says.
    private func start(_ sql: String, _ binds: [PostgresValue]) -> EventLoopFuture<[[PostgresValue]]> {
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [PostgresDataType] = []
        types.reserveCapacity(binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull(); types.append(.null)
            case .int(let number): bindings.append(number); types.append(.int8)
            case .double(let number): bindings.append(number); types.append(.float8)
            case .text(let text): bindings.append(text); types.append(.text)
            case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes)); types.append(.bytea)
            case .bool(let flag): bindings.append(flag); types.append(.bool)
            case .timestamp(let date): bindings.append(date); types.append(.timestamptz)
            }
        }
        // Kept from its second time on this connection: a statement a command runs once goes
        // in one round trip, as before (preparing first would take two).
        if PreparedStatements.isWorthKeeping(sql),
           let number = PreparedStatements.number(sql: sql, types: types),
           kept.withLock({ kept in !kept.refused.contains(number) && !kept.seen.insert(number).inserted }) {
            return runKept(number, bindings: bindings)
        }
        return connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
            .flatMapErrorThrowing { [self] error in throw statementFailure(error) }
            .flatMapThrowing { result in try result.rows.map { row in try row.map { try Self.value(of: $0) } } }
    }

    /// A statement kept prepared on this connection (`PreparedStatements`): parsed and planned
    /// by the server the first time, then only bound and executed. One whose preparation may
    /// have failed here (it never succeeded on this connection: postgres-nio remembers the
    /// failure under its name for good), or whose plan the server can no longer use (a table
    /// changed under `*`, 0A000), goes unnamed on this connection from then on.
    private func runKept(_ number: Int, bindings: PostgresBindings) -> EventLoopFuture<[[PostgresValue]]> {
        let statement = PreparedStatements.statement(number, bindings: bindings)
        let connection = connection, logger = logger
        let promise = connection.eventLoop.makePromise(of: [[PostgresValue]].self)
        Task(executorPreference: executor) {
            do {
                promise.succeed(try await Self.collect(statement, on: connection, logger: logger))
            } catch {
                promise.fail(error)
            }
        }
        return promise.futureResult
            .map { [self] rows in
                kept.withLock { _ = $0.succeeded.insert(number) }
                return rows
            }
            .flatMapErrorThrowing { [self] error in
                let failure = statementFailure(error)
                kept.withLock { kept in
                    let planGone = (failure as? PostgresServerError)?.sqlState == "0A000"
                    if planGone || !kept.succeeded.contains(number) { kept.refused.insert(number) }
                }
                throw failure
            }
    }

    private static func collect<Statement: KeptStatement>(_ statement: Statement, on connection: PostgresConnection,
                                                          logger: Logger) async throws -> [[PostgresValue]] {
        var rows: [[PostgresValue]] = []
        for try await row in try await connection.execute(statement, logger: logger) {
            rows.append(row)
        }
        return rows
    }

    func execute(_ script: String) throws {
        // postgres-nio speaks the extended protocol only, which takes one statement at a time.
        let statements = SQLScript.statements(script)
        for statement in statements {
            do {
                let answer = connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                try settlePending()
                _ = try waitForAnswer(answer)
            } catch {
                throw statementFailure(error)
            }
        }
    }

    package func send(_ statement: String) throws {
        let answer = connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).map { _ in }
        pending.withLock { $0.append(answer) }
    }

    /// Waits for the statements sent ahead (`send`), if any: the first failure is this call's.
    private func settlePending() throws {
        let answers = pending.withLock { pending in defer { pending = [] }; return pending }
        var failure: (any Error)?
        for answer in answers {
            do {
                try waitForAnswer(answer)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
    }

    /// The rows already made, through `copyStream` a MiB at a time: copyFrom waits for the
    /// server to take each piece (backpressure).
    func copy(into table: String, columns: [String], rows: [UInt8]) throws {
        let stream = try copyStream(into: table, columns: columns)
        var start = 0
        while start < rows.count {
            let end = min(start + (1 << 20), rows.count)
            stream.send(Array(rows[start..<end]))
            start = end
        }
        try stream.finish()
    }

    func copyStream(into table: String, columns: [String]) throws -> any PostgresCopyStream {
        do {
            try settlePending()
        } catch {
            throw statementFailure(error)
        }
        let (pieces, continuation) = AsyncStream<StreamedCopy.Piece>.makeStream()
        let connection = connection, logger = logger
        let finished = connection.eventLoop.makePromise(of: Void.self)
        // postgres-nio's copyFrom is async: a task on the connection's event loop, as a kept
        // statement's, while this (never an event-loop) thread makes rows and then waits, as for
        // any statement. On Swift's cooperative threads it could wait for ever behind callers
        // that block them (a test process's synchronous tests, two threads on two cores).
        Task(executorPreference: executor) {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    for await piece in pieces {
                        switch piece {
                        case .rows(let rows): try await writer.write(ByteBuffer(bytes: rows))
                        case .cancel: throw StreamedCopy.Cancelled()
                        }
                    }
                }
                finished.succeed()
            } catch {
                finished.fail(error)
            }
        }
        return StreamedCopy(session: self, continuation: continuation, finished: finished.futureResult)
    }

    /// A `COPY` whose rows come from the calling thread as it makes them, through an
    /// `AsyncStream` (never blocking the event loop), taken by the copy's task; a MiB or so at a
    /// time, so the stream holds at most what the caller has made ahead of the server.
    final class StreamedCopy: PostgresCopyStream, @unchecked Sendable {
        enum Piece: Sendable {
            case rows([UInt8])
            case cancel
        }

        struct Cancelled: Error {}

        private let session: NIOPostgresSession
        private let continuation: AsyncStream<Piece>.Continuation
        private let finished: EventLoopFuture<Void>

        init(session: NIOPostgresSession, continuation: AsyncStream<Piece>.Continuation, finished: EventLoopFuture<Void>) {
            self.session = session
            self.continuation = continuation
            self.finished = finished
        }

        func send(_ rows: [UInt8]) {
            if !rows.isEmpty { continuation.yield(.rows(rows)) }
        }

        func finish() throws {
            continuation.finish()
            do {
                try session.waitForAnswer(finished)
            } catch {
                throw session.statementFailure(error)
            }
        }

        func cancel() {
            continuation.yield(.cancel)
            continuation.finish()
            _ = try? session.waitForAnswer(finished)
        }
    }

    /// The statement's answer. A connection the server ended while a statement was on its way
    /// (pg_terminate_backend, a restart) can leave postgres-nio's answer unresolved for ever, so
    /// the connection's end counts too: a moment after it without an answer is a lost connection.
    fileprivate func waitForAnswer<Value: Sendable>(_ future: EventLoopFuture<Value>) throws -> Value {
        let answer = WaitBox<Result<Value, any Error>>()
        future.whenComplete { answer.set($0) }
        let lost = SupportError.busy("lost the connection to PostgreSQL at \(location): the server closed it")
        let alreadyClosed = closing.begin { answer.setIfEmpty(.failure(lost)) }
        defer { closing.end() }
        if alreadyClosed {
            // postgres-nio fails a statement on a closed connection at once; a second at most.
            return try (answer.wait(seconds: 1) ?? .failure(lost)).get()
        }
        return try answer.wait().get()
    }

    func close() {
        guard !connection.isClosed else { return }
        try? connection.close().wait()
    }

    /// A cell as the store reads it, by its column's type.
    static func value(of cell: PostgresCell) throws -> PostgresValue {
        guard cell.bytes != nil else { return .null }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8:
                return .int(try cell.decode(Int64.self))
            case .oid where cell.format == .binary:
                var buffer = try cell.decode(ByteBuffer.self)
                guard let oid = buffer.readInteger(as: UInt32.self) else { throw SupportError.storage("a short oid") }
                return .int(Int64(oid))
            case .float4, .float8:
                return .double(try cell.decode(Double.self))
            case .numeric:
                let decimal = try cell.decode(Decimal.self)
                return .double(NSDecimalNumber(decimal: decimal).doubleValue)
            case .bool:
                return .bool(try cell.decode(Bool.self))
            case .bytea:
                var buffer = try cell.decode(ByteBuffer.self)
                return .bytes(buffer.readBytes(length: buffer.readableBytes) ?? [])
            case .timestamptz, .timestamp:
                return .timestamp(try cell.decode(Date.self))
            default:
                return .text(try cell.decode(String.self))
            }
        } catch {
            throw SupportError.storage("cannot read column \(cell.columnName) (type \(cell.dataType)) from PostgreSQL")
        }
    }

    /// A statement that failed: the server's refusal as `PostgresServerError` for the store to
    /// judge; a connection that went away as `.busy` (exit 75: try again later).
    func statementFailure(_ error: any Error) -> any Error {
        if let error = error as? SupportError { return error }
        guard let error = error as? PSQLError else {
            return SupportError.internalError("PostgreSQL: \(error)")
        }
        switch error.code {
        case .server:
            let info = error.serverInfo
            let sqlState = info?[.sqlState] ?? ""
            let message = info?[.message] ?? "no message"
            // Class 08 (connection exception) and 57P01-57P03 (the server shutting down or not
            // yet up) are the connection's, not the statement's.
            if sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState) {
                return SupportError.busy("lost the connection to PostgreSQL at \(location): \(message)")
            }
            return PostgresServerError(sqlState: sqlState, constraint: info?[.constraintName], message: message)
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
            return SupportError.busy("lost the connection to PostgreSQL at \(location): \(Self.reason(error))")
        case .tooManyParameters:
            return SupportError.internalError("a statement has more parameters than PostgreSQL takes (65535)")
        default:
            return SupportError.storage("PostgreSQL at \(location) answered in a way this tool cannot read (\(error.code))")
        }
    }

    /// Why a connection could not be made, in the exit codes of README's table: who we are or
    /// what we asked for is wrong → `.configuration` (78, retrying will not help); the server is
    /// not there or not answering → `.busy` (75, a later try may work). Names the user and the
    /// database, never the password.
    static func connectionFailure(_ error: any Error, location: PostgresLocation) -> SupportError {
        let who = "user '\(location.user)' of database '\(location.database)'"
        guard let failure = error as? PSQLError else {
            return .busy("cannot reach PostgreSQL at \(location): \(reason(error))")
        }
        switch failure.code {
        case .server:
            let sqlState = failure.serverInfo?[.sqlState] ?? ""
            let message = failure.serverInfo?[.message] ?? "no message"
            switch sqlState {
            case "28P01", "28000":
                let hint = location.password == nil
                    ? " (no password was found in the config file, PGPASSWORD, PGPASSFILE or ~/.pgpass)"
                    : " (check the password in \(location.passwordSource ?? "PGPASSWORD, PGPASSFILE or ~/.pgpass"))"
                return .configuration("PostgreSQL at \(location) refused \(who): \(message)\(hint)")
            case "3D000":
                return .configuration("PostgreSQL at \(location) has no database '\(location.database)' (\(who)): create it first (createdb)")
            case "42501":
                return .configuration("PostgreSQL at \(location) does not let \(who) connect: \(message)")
            default:
                // 53300 (too many connections), 57P03 (starting up) and the like pass.
                return .busy("cannot reach PostgreSQL at \(location): \(message) (SQLSTATE \(sqlState))")
            }
        case .sslUnsupported:
            return .configuration("PostgreSQL at \(location) does not offer TLS, and sslmode=require asks for it (sslmode=disable over a trusted network or a Unix socket)")
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return .configuration("TLS with PostgreSQL at \(location) failed: \(reason(failure))")
        case .authMechanismRequiresPassword:
            return .configuration("PostgreSQL at \(location) asks \(who) for a password, and none was found: set PGPASSWORD, add a line to ~/.pgpass (mode 0600), or give password in the config file's [postgres]")
        case .unsupportedAuthMechanism:
            return .configuration("PostgreSQL at \(location) asks \(who) for an authentication this tool does not speak (it speaks trust, password, md5 and scram-sha-256)")
        case .saslError:
            return .configuration("PostgreSQL at \(location) refused \(who): the SCRAM exchange failed (\(reason(failure)))")
        default:
            if isTLSFailure(failure.underlying) {
                return .configuration("TLS with PostgreSQL at \(location) failed: \(reason(failure))")
            }
            return .busy("cannot reach PostgreSQL at \(location): \(reason(failure))")
        }
    }

    static func isTLSFailure(_ error: (any Error)?) -> Bool {
        error is NIOSSLError || error is BoringSSLError
    }

    /// The underlying cause in a few words ("Connection refused", "no answer within 3 s").
    static func reason(_ error: any Error) -> String {
        switch error {
        case let failure as PSQLError:
            if let underlying = failure.underlying { return reason(underlying) }
            if let message = failure.serverInfo?[.message] { return message }
            switch failure.code {
            case .serverClosedConnection: return "the server closed the connection"
            case .uncleanShutdown: return "the connection ended without a goodbye"
            default: return "\(failure.code)"
            }
        case let failure as NIOConnectionError:
            if let dns = failure.dnsAError ?? failure.dnsAAAAError { return "cannot resolve \(failure.host): \(reason(dns))" }
            if let first = failure.connectionErrors.first { return reason(first.error) }
            return "no address for \(failure.host)"
        case let failure as IOError:
            return String(cString: strerror(failure.errnoCode))
        case let failure as ChannelError:
            if case .connectTimeout(let amount) = failure {
                return "no answer within \(amount.nanoseconds / 1_000_000_000) s (connect_timeout)"
            }
            return "\(failure)"
        default:
            return "\(error)"
        }
    }
}

private struct KeptOnConnection {
    var seen: Set<Int> = []
    var succeeded: Set<Int> = []
    var refused: Set<Int> = []
}

/// Whether the connection has ended, and what to do then for the statement being waited for.
private final class CloseWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var hasClosed = false
    private var abandon: (@Sendable () -> Void)?

    /// Registers what ends the current wait; true when the connection has ended already.
    func begin(_ giveUp: @escaping @Sendable () -> Void) -> Bool {
        lock.withLock {
            abandon = giveUp
            return hasClosed
        }
    }

    func end() {
        lock.withLock { abandon = nil }
    }

    func closed() {
        let giveUp = lock.withLock {
            hasClosed = true
            return abandon
        }
        giveUp?()
    }
}

/// Waits on the calling thread for a value set on another (an event loop's).
private final class WaitBox<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value?

    func set(_ newValue: Value) {
        condition.lock()
        value = newValue
        condition.broadcast()
        condition.unlock()
    }

    func setIfEmpty(_ newValue: Value) {
        condition.lock()
        if value == nil {
            value = newValue
            condition.broadcast()
        }
        condition.unlock()
    }

    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }

    /// The value, or nil when `seconds` passed first.
    func wait(seconds: Double) -> Value? {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while value == nil {
            if !condition.wait(until: deadline) { break }
        }
        return value
    }
}
