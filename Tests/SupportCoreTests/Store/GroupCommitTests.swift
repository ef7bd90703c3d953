import Dispatch
import Foundation
import GRDB
import Synchronization
import Testing
@testable import SupportCore

/// The server's group commit (GroupCommit): writes asked for while a transaction runs share the
/// next one, each in a savepoint, and each keeps its own answer.
@Suite("group commit")
struct GroupCommitTests {
    /// A table whose `n` is unique, and whose rows note their transaction's date.
    static func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL UNIQUE, at TEXT NOT NULL)")
        }
        return queue
    }

    static func insert(_ db: Database, _ n: Int) throws {
        try db.execute(sql: "INSERT INTO t (n, at) VALUES (?, ?)", arguments: [n, "\(try db.transactionDate.timeIntervalSince1970)"])
    }

    /// Holds a first write inside its transaction until `release`, while `count` writes are asked
    /// for on threads of their own (`body(i)` for i in 1...count); returns each write's answer.
    /// Every wait happens on threads of its own, never on the test's: Swift's cooperative threads
    /// (two here) are shared with the suites running beside, and blocking them stalled this test
    /// for minutes in a whole-suite run.
    static func batch(_ commit: GroupCommit, count: Int, _ body: @escaping @Sendable (Database, Int) throws -> Int) async
        -> [Int: Result<Int, any Error>] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: batchOnThisThread(commit, count: count, body)) }
        }
    }

    static func batchOnThisThread(_ commit: GroupCommit, count: Int, _ body: @escaping @Sendable (Database, Int) throws -> Int)
        -> [Int: Result<Int, any Error>] {
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let answers = Mutex([Int: Result<Int, any Error>]())
        let group = DispatchGroup()
        group.enter()
        Thread.detachNewThread {
            let first = Result { try commit.write { db in
                try insert(db, 0)
                entered.signal()
                release.wait()
                return 0
            } }
            answers.withLock { $0[0] = first }
            group.leave()
        }
        entered.wait()
        for i in 1...count {
            group.enter()
            Thread.detachNewThread {
                let answer = Result { try commit.write { db in try body(db, i) } }
                answers.withLock { $0[i] = answer }
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(30)
        while commit.waiting < count, Date() < deadline { usleep(1_000) }
        #expect(commit.waiting == count, "every write waits for the running transaction")
        release.signal()
        group.wait()
        return answers.withLock { $0 }
    }

    @Test func writesAskedForMeanwhileShareOneTransactionAndEachKeepsItsAnswer() async throws {
        // Given a write running, and 20 more asked for meanwhile: every fifth breaks a rule of the
        // desk, the seventh a unique key (the running write's row: the order in which the 20
        // arrive is the threads')
        let queue = try Self.database()
        let commit = GroupCommit(writer: queue)
        let answers = await Self.batch(commit, count: 20) { db, i in
            try Self.insert(db, i)
            if i % 5 == 0 { throw SupportError.invalidInput(field: nil, "refused \(i)") }
            if i == 7 { try Self.insert(db, 0) }
            return i * 10
        }

        // Then each write got its own answer
        for i in 1...20 {
            switch answers[i] {
            case .success(let value): #expect(i % 5 != 0 && i != 7 && value == i * 10, "write \(i)")
            case .failure(let error as SupportError): #expect(i % 5 == 0 && error.message.contains("refused \(i)"), "write \(i)")
            case .failure(let error as DatabaseError): #expect(i == 7 && error.resultCode == ResultCode.SQLITE_CONSTRAINT, "write \(i)")
            default: Issue.record("write \(i): \(String(describing: answers[i]))")
            }
        }
        // And only the writes that succeeded are in the table, the 20 in one transaction after the first's
        let rows = try queue.read { db in try Row.fetchAll(db, sql: "SELECT n, at FROM t ORDER BY n") }
        let kept = Set(1...20).filter { $0 % 5 != 0 && $0 != 7 }
        #expect(rows.map { $0["n"] as Int } == [0] + kept.sorted())
        let dates = Set(rows.dropFirst().map { $0["at"] as String })
        #expect(dates.count == 1, "one shared transaction: \(dates)")
        #expect(!dates.contains(rows[0]["at"]), "not the first write's")
    }

    @Test func aFailureOfTheDatabaseItselfRunsEveryWriteOfTheBatchAgainAlone() async throws {
        // Given 12 writes asked for while one runs, the fourth failing as a busy database does
        let queue = try Self.database()
        let commit = GroupCommit(writer: queue)
        let answers = await Self.batch(commit, count: 12) { db, i in
            try Self.insert(db, i)
            if i == 4 { throw SupportError.busy("the database is busy") }
            return i
        }

        // Then the busy one failed, every other write succeeded, and each is in the table once
        // (the batch's transaction was rolled back before they ran again, alone)
        for i in 1...12 {
            switch answers[i] {
            case .success(let value): #expect(i != 4 && value == i, "write \(i)")
            case .failure(let error as SupportError):
                guard case .busy = error, i == 4 else { Issue.record("write \(i): \(error)"); continue }
            default: Issue.record("write \(i): \(String(describing: answers[i]))")
            }
        }
        let rows = try queue.read { db in try Row.fetchAll(db, sql: "SELECT n, at FROM t ORDER BY n") }
        #expect(rows.map { $0["n"] as Int } == [0] + (1...12).filter { $0 != 4 })
        #expect(Set(rows.map { $0["at"] as String }).count == 12, "each in a transaction of its own")
    }
}
