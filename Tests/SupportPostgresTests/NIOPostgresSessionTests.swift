import Foundation
import Testing
@testable import SupportCore
@testable import SupportPostgres

/// The driver against a real PostgreSQL 15 (PostgresTestDatabase: the server .ci/run starts, or
/// one of its own): values both ways, scripts, and each kind of failure in the exit code a person
/// is meant to see.
@Suite("PostgreSQL driver", .serialized, .enabled(if: PostgresTestDatabase.available, "needs PostgreSQL 15"))
struct NIOPostgresSessionTests {
    func open(_ url: String, environment: [String: String]) throws -> any PostgresSession {
        PostgresDriver.install()
        let location = try PostgresLocation.parse(url, environment: environment, home: nil)
        let open = try #require(PostgresConnector.open)
        return try open(location)
    }

    func open(_ database: PostgresTestDatabase, query: String? = nil) throws -> any PostgresSession {
        try open(database.url(query: query), environment: ["PGPASSWORD": database.server.password])
    }

    /// The SupportError a connection attempt ended with.
    func connectionError(_ url: String, environment: [String: String]) throws -> SupportError {
        do {
            let session = try open(url, environment: environment)
            session.close()
            throw Problem(description: "connected to \(url)")
        } catch let error as SupportError {
            return error
        }
    }

    struct Problem: Error, CustomStringConvertible { var description: String }

    @Test func everyKindOfValueIsBoundAndReadBackAsItWas() throws {
        // Given a database and a session over TCP with the password from PGPASSWORD
        let database = try PostgresTestDatabase()
        let session = try open(database)
        defer { session.close() }
        let instant = Date(timeIntervalSince1970: 1_780_000_000.123456)
        // When each kind of value goes through $n and comes back
        let rows = try session.query("SELECT $1::int8, $2::float8, $3::text, $4::bytea, $5::bool, $6::timestamptz, $7::text",
                                     [.int(-9_007_199_254_740_993), .double(2.5), .text("Grüße; 'quoted' \u{1F600}"),
                                      .bytes([0, 1, 254, 255]), .bool(true), .timestamp(instant), .null])
        // Then each is what was sent, NULL included
        let row = try #require(rows.first)
        #expect(rows.count == 1)
        #expect(row[0] == .int(-9_007_199_254_740_993))
        #expect(row[1] == .double(2.5))
        #expect(row[2] == .text("Grüße; 'quoted' \u{1F600}"))
        #expect(row[3] == .bytes([0, 1, 254, 255]))
        #expect(row[4] == .bool(true))
        let date = try #require(row[5].date)
        #expect(abs(date.timeIntervalSince(instant)) < 0.000_002)
        #expect(row[6] == .null)
    }

    @Test func columnsAreReadByTheirType() throws {
        // Given a session
        let database = try PostgresTestDatabase()
        let session = try open(database)
        defer { session.close() }
        // When a row has the server's other integer, number, text and time types
        let rows = try session.query("""
            SELECT 7::int2, 8::int4, 1.25::numeric, 0.5::float4, 'v'::varchar, current_user::name,
                   TIMESTAMP '2026-01-02 03:04:05', '00000000-0000-0000-0000-000000000001'::uuid, 'x'::bpchar, NULL::int8
            """, [])
        // Then each comes back as the store reads it
        let row = try #require(rows.first)
        #expect(row[0] == .int(7))
        #expect(row[1] == .int(8))
        #expect(row[2] == .double(1.25))
        #expect(row[3] == .double(0.5))
        #expect(row[4] == .text("v"))
        #expect(row[5] == .text("support_test"))
        #expect(row[6].date == Date(timeIntervalSince1970: 1_767_323_045))
        #expect(row[7].text?.lowercased() == "00000000-0000-0000-0000-000000000001")
        #expect(row[8] == .text("x"))
        #expect(row[9] == .null)
    }

    @Test func aScriptRunsEachOfItsStatementsWhateverTheQuotesHold() throws {
        // Given a script whose strings, comments and function body hold semicolons
        let database = try PostgresTestDatabase()
        let session = try open(database)
        defer { session.close() }
        try session.execute("""
            -- a comment; not a statement
            CREATE TABLE note (id bigserial PRIMARY KEY, body text NOT NULL);
            /* a block; /* nested; */ still a comment; */
            INSERT INTO note (body) VALUES ('one; two'), (E'it\\'s; three');
            CREATE FUNCTION shout(t text) RETURNS text LANGUAGE plpgsql AS $body$
            BEGIN
                RETURN upper(t) || '; !';
            END;
            $body$;
            INSERT INTO note (body) VALUES ($$dollar; quoted$$), (shout('hi'));;
            """)
        // When the rows are read
        let rows = try session.query("SELECT body FROM note ORDER BY id", [])
        // Then every statement ran once, its text intact
        #expect(rows.map { $0[0] } == [.text("one; two"), .text("it's; three"), .text("dollar; quoted"), .text("HI; !")])
    }

    @Test func aRefusedStatementIsTheServersErrorWithItsStateAndConstraint() throws {
        // Given a table with a unique key and a row
        let database = try PostgresTestDatabase()
        let session = try open(database)
        defer { session.close() }
        try session.execute("CREATE TABLE person (email text CONSTRAINT person_email_key UNIQUE); INSERT INTO person VALUES ('a@example.com')")
        // When the same key is inserted again
        var caught: PostgresServerError?
        do {
            _ = try session.query("INSERT INTO person VALUES ($1)", [.text("a@example.com")])
        } catch let error as PostgresServerError {
            caught = error
        }
        // Then the error names the SQLSTATE and the constraint, and the session still works
        let error = try #require(caught)
        #expect(error.sqlState == "23505")
        #expect(error.constraint == "person_email_key")
        #expect(try session.query("SELECT count(*) FROM person", []) == [[.int(1)]])
        // And a statement that is not SQL is refused the same way (42601, syntax)
        #expect(throws: PostgresServerError.self) { try session.execute("SELEC 1") }
    }

    @Test func aStatementRunAgainIsKeptPreparedAndAnswersAsBefore() throws {
        // Given a session and a table
        let database = try PostgresTestDatabase()
        let session = try open(database)
        defer { session.close() }
        try session.execute("CREATE TABLE kept (id int8 PRIMARY KEY, body text)")
        let insert = "INSERT INTO kept (id, body) VALUES ($1, $2) RETURNING id"
        let prepared = "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1"
        // When an insert runs once, then twice more with other values (a NULL among them)
        #expect(try session.query(insert, [.int(1), .text("one")]) == [[.int(1)]])
        // Then the first run went unnamed (nothing prepared), and the later ones prepared it once
        #expect(try session.query(prepared, [.text(insert)]) == [[.int(0)]])
        #expect(try session.query(insert, [.int(2), .text("two")]) == [[.int(2)]])
        #expect(try session.query(insert, [.int(3), .null]) == [[.int(3)]])
        #expect(try session.query(insert, [.int(4), .text("four")]) == [[.int(4)]])
        #expect(try session.query(prepared, [.text(insert)]) == [[.int(1)]])
        #expect(try session.query("SELECT id, body FROM kept ORDER BY id", []) ==
                [[.int(1), .text("one")], [.int(2), .text("two")], [.int(3), .null], [.int(4), .text("four")]])
        // And a kept statement refused by the server is the server's error, the session still working
        #expect(throws: PostgresServerError.self) { try session.query(insert, [.int(4), .text("again")]) }
        #expect(try session.query(insert, [.int(5), .text("five")]) == [[.int(5)]])
    }

    @Test func aStatementWhosePreparationFailedRunsOnceItCan() throws {
        // Given a session, and a statement on a table that does not exist yet, run twice (the
        // second time it is prepared, and the server refuses it)
        let database = try PostgresTestDatabase()
        let session = try open(database)
        defer { session.close() }
        let select = "SELECT body FROM later WHERE id = $1"
        for _ in 0..<2 {
            #expect(throws: PostgresServerError.self) { try session.query(select, [.int(1)]) }
        }
        // When the table is made
        try session.execute("CREATE TABLE later (id int8, body text); INSERT INTO later VALUES (1, 'here')")
        // Then the statement answers (the failed preparation is not remembered against it)
        for _ in 0..<3 {
            #expect(try session.query(select, [.int(1)]) == [[.text("here")]])
        }
    }

    @Test func aSentStatementIsAnsweredWithTheNextOne() throws {
        // Given a session
        let database = try PostgresTestDatabase()
        let session = try open(database)
        defer { session.close() }
        try session.execute("CREATE TABLE sent (id int8)")
        // When a transaction's BEGIN is sent and not waited for, and the statements follow
        try session.send("BEGIN")
        _ = try session.query("INSERT INTO sent VALUES ($1)", [.int(1)])
        try session.send("ROLLBACK")
        // Then they ran in order, in one transaction (rolled back)
        #expect(try session.query("SELECT count(*) FROM sent", []) == [[.int(0)]])
        // And a sent statement the server refuses is the next statement's error
        try session.send("SELEC 1")
        #expect(throws: PostgresServerError.self) { try session.query("SELECT 1", []) }
        #expect(try session.query("SELECT 2", []) == [[.int(2)]])
    }

    @Test func aStreamedCopyTakesItsRowsAsTheyComeAndAFailedOrCancelledOneWritesNothing() throws {
        // Given a session and a table with a rule
        let database = try PostgresTestDatabase()
        let session = try open(database)
        defer { session.close() }
        try session.execute("CREATE TABLE streamed (id int8 PRIMARY KEY, word text CHECK (word <> 'bad'))")
        // When 3,000 rows are sent in pieces of 1,000
        let copy = try session.copyStream(into: "streamed", columns: ["id", "word"])
        for piece in 0..<3 {
            copy.send(Array((0..<1_000).map { "\(piece * 1_000 + $0)\tword \\\\ \($0)\n" }.joined().utf8))
        }
        try copy.finish()
        // Then every row is there, as sent
        #expect(try session.query("SELECT count(*), min(word), max(id) FROM streamed", []) == [[.int(3_000), .text("word \\ 0"), .int(2_999)]])
        // And a row the table refuses, in a later piece, is the finish's error, and nothing of that copy is written
        let refused = try session.copyStream(into: "streamed", columns: ["id", "word"])
        refused.send(Array("5000\tgood\n".utf8))
        refused.send(Array("5001\tbad\n".utf8))
        #expect(throws: PostgresServerError.self) { try refused.finish() }
        // And a cancelled copy writes nothing; the session goes on either way
        let cancelled = try session.copyStream(into: "streamed", columns: ["id", "word"])
        cancelled.send(Array("6000\tgood\n".utf8))
        cancelled.cancel()
        #expect(try session.query("SELECT count(*) FROM streamed", []) == [[.int(3_000)]])
    }

    @Test func theUnixSocketConnectsWithoutAPassword() throws {
        // Given the socket of the cluster, which trusts whoever can reach it
        let database = try PostgresTestDatabase()
        let url = try #require(database.socketURL, "SUPPORT_TEST_POSTGRES_SOCKET is not set")
        // When a session opens over it, with no password anywhere
        let session = try open(url, environment: [:])
        defer { session.close() }
        // Then it is in the right database as the right user
        #expect(try session.query("SELECT current_database(), current_user", []) == [[.text(database.name), .text("support_test")]])
    }

    @Test func aWrongPasswordIsAConfigurationErrorNamingUserAndDatabaseButNotThePassword() throws {
        // Given a wrong password in PGPASSWORD
        let database = try PostgresTestDatabase()
        let wrong = "wrong-\(UUID().uuidString)"
        // When a session opens
        let error = try connectionError(database.url(), environment: ["PGPASSWORD": wrong])
        // Then it is exit 78 with the user and the database named, and the password nowhere
        #expect(error.exitCode == 78, "\(error)")
        #expect(error.message.contains("support_test"))
        #expect(error.message.contains(database.name))
        #expect(!error.message.contains(wrong))
        #expect(!error.message.contains(database.server.password))
    }

    @Test func noPasswordAtAllSaysWhereOneIsLookedFor() throws {
        // Given TCP, which asks for a password, and none given
        let database = try PostgresTestDatabase()
        // When a session opens
        let error = try connectionError(database.url(), environment: [:])
        // Then it is exit 78 and says where a password would come from
        #expect(error.exitCode == 78, "\(error)")
        #expect(error.message.contains("PGPASSWORD"), "\(error.message)")
    }

    @Test func anUnknownDatabaseIsAConfigurationError() throws {
        // Given a server without the database named
        let database = try PostgresTestDatabase()
        let url = "postgresql://support_test@\(database.server.host):\(database.server.port)/no_such_desk_\(UInt32.random(in: 0...UInt32.max))"
        // When a session opens
        let error = try connectionError(url, environment: ["PGPASSWORD": database.server.password])
        // Then exit 78 names the database
        #expect(error.exitCode == 78, "\(error)")
        #expect(error.message.contains("no_such_desk_"))
    }

    @Test func aClosedPortIsBusyAtOnce() throws {
        // Given a port nothing listens on
        let port = try closedPort()
        let started = Date()
        // When a session opens with a 5 s connect_timeout
        let error = try connectionError("postgresql://support_test@127.0.0.1:\(port)/x?connect_timeout=5", environment: ["PGPASSWORD": "x"])
        // Then it is exit 75 (try later), refused at once rather than after the timeout
        #expect(error.exitCode == 75, "\(error)")
        #expect(error.message.contains("cannot reach PostgreSQL at postgresql://support_test@127.0.0.1:\(port)/x"))
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test func aServerThatNeverAnswersIsBusyAfterConnectTimeout() throws {
        // Given a socket that accepts connections (the kernel's backlog) and never says a word
        let listener = try SilentListener()
        defer { listener.close() }
        let started = Date()
        // When a session opens with connect_timeout=1
        let error = try connectionError("postgresql://support_test@127.0.0.1:\(listener.port)/x?connect_timeout=1&sslmode=disable",
                                        environment: ["PGPASSWORD": "x"])
        // Then it gives up after about a second, exit 75
        let elapsed = Date().timeIntervalSince(started)
        #expect(error.exitCode == 75, "\(error)")
        #expect(error.message.contains("connect_timeout"), "\(error.message)")
        #expect(elapsed >= 0.9 && elapsed < 4, "\(elapsed) s")
    }

    @Test func sslmodeRequireAgainstAServerWithoutTLSIsRefusedClearly() throws {
        // Given the test cluster, which has no certificate
        let database = try PostgresTestDatabase()
        // When a session asks for TLS or nothing
        let error = try connectionError(database.url(query: "sslmode=require"), environment: ["PGPASSWORD": database.server.password])
        // Then exit 78 says TLS is not offered
        #expect(error.exitCode == 78, "\(error)")
        #expect(error.message.contains("does not offer TLS"), "\(error.message)")
        // And prefer falls back to plain TCP, as libpq's does
        let session = try open(database, query: "sslmode=prefer")
        defer { session.close() }
        #expect(try session.query("SELECT 1", []) == [[.int(1)]])
    }

    @Test func aConnectionTheServerEndsIsBusy() throws {
        // Given a session whose backend the server then terminates
        let database = try PostgresTestDatabase()
        let session = try open(database)
        defer { session.close() }
        let pid = try #require(try session.query("SELECT pg_backend_pid()", []).first?.first?.int)
        let other = try open(database)
        defer { other.close() }
        _ = try other.query("SELECT pg_terminate_backend($1::int)", [.int(pid)])
        // When the first session runs a statement
        var caught: SupportError?
        do {
            _ = try session.query("SELECT 1", [])
        } catch let error as SupportError {
            caught = error
        }
        // Then it is exit 75, the connection lost
        let error = try #require(caught)
        #expect(error.exitCode == 75, "\(error)")
    }

    func closedPort() throws -> Int {
        let listener = try SilentListener()
        let port = listener.port
        listener.close()
        return port
    }
}

/// A TCP socket on 127.0.0.1 that listens and never accepts: connections complete in the
/// kernel's backlog and then hear nothing.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw NIOPostgresSessionTests.Problem(description: "cannot listen: \(String(cString: strerror(errno)))") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        _ = Glibc.close(fd)
    }
}
