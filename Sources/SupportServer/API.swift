import Foundation
import Hummingbird
import Logging
import NIOPosix
import SupportCore

/// The routes of the seed's "API Endpoints" and the commands a web client needs, each a thin
/// call into `HelpDesk` as the authenticated person (never the local operator).
struct API: Sendable {
    let database: DeskStorage
    let authority: TokenAuthority
    let limiter: FailedAuthLimiter
    let logger: Logger
    let openAPIDocument: String?
    /// The threads the writes wait on (`writing`).
    let writeThreads: NIOThreadPool
    /// The threads a PostgreSQL desk's reads wait on (`reading`); nil for an SQLite file.
    let readThreads: NIOThreadPool?
    /// How long a request's body may take to arrive (the server's idle timeout).
    var bodyTimeout: Duration = .seconds(30)

    /// A body larger than this is refused with 413 before it is parsed: the longest message is
    /// 64 KiB, and a settings template four times that.
    static let maxBodyBytes = 1 << 20

    /// Replies read and sent at a time by the routes that return a ticket's replies: at most
    /// 100 × 64 KiB of text in memory per request.
    static let repliesPerPage = 100

    func register(on router: Router<APIContext>) {
        router.get("/openapi.yaml") { _, _ in
            guard let document = openAPIDocument else {
                return APIResponse.error(status: .notFound, code: "NOT_FOUND", message: "no OpenAPI document was installed")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        let tickets = router.group("/api/support/tickets")
        tickets.get { request, context in
            await handle(request, context) { desk in
                let query = try ListQuery.ticketQuery(request.uri.queryParameters)
                let page = try await reading { try desk.listTickets(query) }
                return APIResponse.json(bytes: JSONRenderer.pageBytes(page))
            }
        }
        tickets.post { request, context in
            await handle(request, context) { desk in
                let body = try await decode(CreateTicketBody.self, request)
                let ticket = try await writing { try desk.createTicket(try body.newTicket()) }
                return APIResponse.json(JSONRenderer.ticket(ticket), status: .created)
            }
        }
        tickets.get(":id") { request, context in
            await handle(request, context) { desk in
                let number = try number(context)
                // The ticket and its first page of replies in one read, then the further pages
                // (each a read of its own that checks the reader again): a reply added meanwhile
                // is included.
                let (ticket, first) = try await reading { try desk.ticketWithReplies(number, limit: Self.repliesPerPage) }
                return APIResponse.replies(JSONRenderer.streamedTicket(ticket, line: false), first: first) { cursor in
                    try await reading { try desk.replyPage(of: number, after: cursor, limit: Self.repliesPerPage) }
                }
            }
        }
        for method in [HTTPRequest.Method.put, .patch] {
            tickets.on(":id", method: method) { request, context in
                await handle(request, context) { desk in
                    let number = try number(context)
                    let changes = try await decode(UpdateTicketBody.self, request).changes()
                    return APIResponse.json(JSONRenderer.ticket(try await writing { try desk.updateTicket(number, changes) }))
                }
            }
        }
        tickets.delete(":id") { request, context in
            await handle(request, context) { desk in
                let number = try number(context)
                try await writing { try desk.deleteTicket(number) }
                return APIResponse.json(JSONRenderer.success())
            }
        }
        tickets.get(":id/responses") { request, context in
            await handle(request, context) { desk in
                let number = try number(context)
                let first = try await reading { try desk.replyPage(of: number, after: nil, limit: Self.repliesPerPage) }
                return APIResponse.replies(JSONRenderer.streamedResponses(on: number), first: first) { cursor in
                    try await reading { try desk.replyPage(of: number, after: cursor, limit: Self.repliesPerPage) }
                }
            }
        }
        tickets.post(":id/responses") { request, context in
            await handle(request, context) { desk in
                let number = try number(context)
                let body = try await decode(CreateResponseBody.self, request)
                let response = try await writing {
                    try desk.respond(to: number, message: body.message, isInternal: body.isInternal ?? false, notify: body.notifyUser ?? true)
                }
                return APIResponse.json(JSONRenderer.response(response, on: number), status: .created)
            }
        }
        tickets.get(":id/history") { request, context in
            await handle(request, context) { desk in
                let number = try number(context)
                return APIResponse.json(JSONRenderer.history(try await reading { try desk.history(of: number) }))
            }
        }
        router.get("/api/support/stats") { request, context in
            await handle(request, context) { desk in
                let (since, until) = try ListQuery.period(request.uri.queryParameters)
                return APIResponse.json(StatisticsRenderer.json(try await reading { try desk.statistics(since: since, until: until) }))
            }
        }
        router.get("/api/admin/support/settings") { request, context in
            await handle(request, context) { desk in APIResponse.json(JSONRenderer.settings(try await reading { try desk.settings() })) }
        }
        router.put("/api/admin/support/settings") { request, context in
            await handle(request, context) { desk in
                let body = try await decode([String: SettingValue].self, request)
                guard !body.isEmpty else { throw SupportError.invalidInput(field: nil, "nothing to change: give at least one setting") }
                // Every value is checked before any is stored: a bad one changes nothing. Only
                // admins may (the read refuses anyone else before a value is looked at).
                let _ = try await reading { try desk.settings() }
                var checked: [(SettingKey, String)] = []
                for (name, value) in body.sorted(by: { $0.key < $1.key }) {
                    let key = try SettingKey.parse(name)
                    // The mail program runs as the server's user: who may name it is whoever has a
                    // shell on the machine, not whoever holds an admin token.
                    guard key != .sendmailCommand else {
                        throw SupportError.forbidden("sendmail_command is changed with 'support settings set' on the server, not over HTTP")
                    }
                    checked.append((key, try key.normalize(try value.text(for: key))))
                }
                let changes = checked
                let settings = try await writing {
                    for (key, value) in changes { _ = try desk.setSetting(key, to: value) }
                    return try desk.settings()
                }
                return APIResponse.json(JSONRenderer.settings(settings))
            }
        }
        router.get("/api/admin/users") { request, context in
            await handle(request, context) { desk in
                let role = try request.uri.queryParameters["role"].map { try Role.parse(String($0)) }
                return APIResponse.json(JSONRenderer.users(try await reading { try desk.users(role: role) }))
            }
        }
        router.get("/api/admin/outbox") { request, context in
            await handle(request, context) { desk in
                let status = try request.uri.queryParameters["status"].map { text -> OutboxMessage.Status in
                    guard let status = OutboxMessage.Status(rawValue: String(text)) else {
                        throw SupportError.invalidInput(field: "status", "status must be pending, sending, sent or failed")
                    }
                    return status
                }
                return APIResponse.json(JSONRenderer.outbox(try await reading { try desk.outbox(status: status) }))
            }
        }
        router.post("/api/admin/outbox/retry") { request, context in
            await handle(request, context) { desk in
                let body = try await decode(RetryBody.self, request, allowEmpty: true)
                let count = try await writing { try desk.retryMail(id: body?.id) }
                return APIResponse.json(JSONRenderer.count("retried", count))
            }
        }
    }

    /// Runs a write of the desk on `writeThreads`, not on Swift's cooperative threads: a write
    /// waits for the transaction it shares with the writes asked for at the same time (group
    /// commit, `AppDatabase`), blocking its thread meanwhile, and the cooperative threads are only
    /// as many as the cores. A request whose client left before its write started is not written.
    func writing<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await writeThreads.runIfActive(body)
    }

    /// Runs a read of the desk. On PostgreSQL, on `readThreads`: a read there waits for the
    /// database's answers (a round trip each, longer from another host, as long as a lock lasts),
    /// blocking its thread meanwhile, and Swift's cooperative threads are only as many as the cores.
    /// With them all waiting, the server answered nothing else, not even /openapi.yaml, and a
    /// server reached over the network read at most as many requests at once as it has cores
    /// (ServerAPITests.readsWaitingOnPostgreSQLLeaveTheServerAnswering). On SQLite a read never
    /// waits for another connection (WAL) and runs where it is asked: no hop between threads.
    func reading<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard let readThreads else { return try body() }
        return try await readThreads.runIfActive(body)
    }

    // MARK: Authentication and errors

    /// Authenticates the request, runs `body` with the person's desk, and turns every failure into
    /// the seed's error shape. A failure to authenticate is logged with its reason, never the token.
    func handle(_ request: Request, _ context: APIContext, _ body: (HelpDesk) async throws -> Response) async -> Response {
        let client = context.clientAddress
        if let wait = limiter.blocked(client) {
            var response = APIResponse.error(status: .tooManyRequests, code: "RATE_LIMITED",
                                             message: "too many failed authentications from this address; try again later")
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let user: User
        switch await authenticate(request) {
        case .success(.person(let found)):
            user = found
        case .success(.unavailable(let error)):
            // The desk could not be asked (busy, unreachable): not the client's failure.
            return APIResponse.error(error)
        case .failure(let reason):
            limiter.recordFailure(client)
            logger.notice("authentication failed", metadata: ["client": "\(client)", "reason": "\(reason.text)",
                                                             "path": "\(request.uri.path)"])
            return APIResponse.unauthorized()
        }
        let desk = HelpDesk(storage: database, actor: .person(user), logger: logger)
        do {
            return try await body(desk)
        } catch let error as SupportError {
            return APIResponse.error(error)
        } catch is BodyTimeout {
            var response = APIResponse.error(status: .requestTimeout, code: "REQUEST_TIMEOUT",
                                             message: "the body did not arrive within \(bodyTimeout.components.seconds) s")
            response.headers[.connection] = "close"
            return response
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return APIResponse.error(status: .contentTooLarge, code: "PAYLOAD_TOO_LARGE",
                                     message: "the body is larger than \(Self.maxBodyBytes / 1024) KiB")
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(type(of: error))"])
            return APIResponse.error(.internalError("the request failed on the server"))
        }
    }

    /// Who a request's token names, or that the desk could not be asked.
    enum Authenticated {
        case person(User)
        case unavailable(SupportError)
    }

    func authenticate(_ request: Request) async -> Result<Authenticated, TokenRefusal> {
        guard let header = request.headers[.authorization] else { return .failure(TokenRefusal("no Authorization header")) }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return .failure(TokenRefusal("not a Bearer credential"))
        }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        let identity: VerifiedIdentity
        switch await authority.verify(token) {
        case .success(let verified): identity = verified
        case .failure(let refusal): return .failure(refusal)
        }
        // The role, and whether the person still exists, come from the database on every request.
        // The core's rule for whom a token may speak: a user of the desk, not removed, never the
        // local operator's placeholder, and for the desk's own tokens not revoked since (the role
        // and all of it read from the database on every request).
        var issued: Int64?
        if case .desk(_, let generation) = identity { issued = generation }
        let database = database, email = identity.email, generation = issued
        let holder: Result<Actor, SupportError>
        do {
            holder = try await reading {
                do throws(SupportError) { return .success(try HelpDesk.tokenHolder(email: email, generation: generation, in: database)) }
                catch { return .failure(error) }
            }
        } catch {
            return .success(.unavailable(.busy("the server is stopping")))
        }
        switch holder {
        case .success(.person(let found)):
            return .success(.person(found))
        case .success:
            return .failure(TokenRefusal("unknown user"))
        case .failure(.unknownActor(let words)), .failure(.invalidInput(_, let words)), .failure(.forbidden(let words)),
             .failure(.notFound(let words)):
            // The core's words for the log ("no user …", "… was removed", "the token was revoked").
            return .failure(TokenRefusal(words.description))
        case .failure(let error):
            // A database that is busy or unreachable says nothing of the token: 503, and no
            // failed authentication counted against the client's address.
            return .success(.unavailable(error))
        }
    }

    // MARK: Request parts

    /// The body, at most `maxBodyBytes`, arrived whole within `bodyTimeout`: the idle timeout only
    /// drops a connection that sends nothing, and a client dribbling a byte a second would
    /// otherwise hold a request open for days.
    func collectBody(_ request: Request) async throws -> ByteBuffer {
        let body = request.body
        let limit = bodyTimeout
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: Self.maxBodyBytes) }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else { throw BodyTimeout() }
            return buffer
        }
    }

    struct BodyTimeout: Error {}

    func number(_ context: APIContext) throws(SupportError) -> TicketNumber {
        try TicketNumber.parse(context.parameters.get("id") ?? "")
    }

    /// The body as JSON of the expected shape: at most `maxBodyBytes`, valid UTF-8, nothing else.
    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        guard let value = try await decode(type, request, allowEmpty: false) else {
            throw SupportError.invalidInput(field: nil, "the request needs a JSON body")
        }
        return value
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request, allowEmpty: Bool) async throws -> T? {
        let buffer = try await collectBody(request)
        let bytes = Data(buffer.readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            if allowEmpty { return nil }
            throw SupportError.invalidInput(field: nil, "the request needs a JSON body")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SupportError.invalidInput(field: nil, "the body is not valid UTF-8")
        }
        let value: T
        do {
            value = try JSONDecoder().decode(T.self, from: bytes)
        } catch let error as SupportError {
            throw error
        } catch let DecodingError.keyNotFound(key, _) {
            throw SupportError.invalidInput(field: key.stringValue, "\(key.stringValue) is required")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.last?.stringValue
            throw SupportError.invalidInput(field: field, "\(field ?? "the body") has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.last?.stringValue
            throw SupportError.invalidInput(field: field, "\(field ?? "the body") must not be null")
        } catch {
            throw SupportError.invalidInput(field: nil, "the body is not valid JSON")
        }
        if let key = DuplicateJSONKeys.first(in: bytes) {
            throw SupportError.invalidInput(field: key, "\(Validation.printable(key)) is given twice")
        }
        return value
    }
}
