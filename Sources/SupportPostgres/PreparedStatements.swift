import Foundation
import Logging
import NIOCore
import PostgresNIO
import SupportCore

/// Statements kept prepared on each connection (issue 17: the server's reads were parsed and
/// planned by PostgreSQL at every request). postgres-nio prepares a `PostgresPreparedStatement`
/// once per connection, under its name, the first time it is executed there, and then sends only
/// Bind and Execute; but its statements are types, each with a static SQL text. The store's SQL
/// is built at run time, so each text (with the types of its parameters, as the unnamed path
/// sends them) is given a number here, process-wide, and the number picks one of `capacity`
/// types: `Slot<Path>`, where `Path` spells the number in bits (`Node<Node<…, One>, Zero>`).
/// Past `capacity` texts a statement goes unnamed, as before.
enum PreparedStatements {
    static let bits = 10
    static let capacity = 1 << bits

    private static let lock = NSLock()
    nonisolated(unsafe) private static var numbers: [String: Int] = [:]
    nonisolated(unsafe) private static var entries: [(sql: String, types: [PostgresDataType])] = []

    /// Only statements that read or change rows are kept: a script's DDL runs once.
    static func isWorthKeeping(_ sql: String) -> Bool {
        let head = sql.prefix(7).uppercased()
        return head.hasPrefix("SELECT") || head.hasPrefix("INSERT") || head.hasPrefix("UPDATE")
            || head.hasPrefix("DELETE") || head.hasPrefix("WITH")
    }

    /// The number of `sql` with parameters of `types`, given one if it has none yet; nil when all
    /// are taken.
    static func number(sql: String, types: [PostgresDataType]) -> Int? {
        let key = types.map { String($0.rawValue) }.joined(separator: ",") + "\n" + sql
        return lock.withLock {
            if let number = numbers[key] { return number }
            guard entries.count < capacity else { return nil }
            entries.append((sql, types))
            numbers[key] = entries.count - 1
            return entries.count - 1
        }
    }

    static func entry(_ number: Int) -> (sql: String, types: [PostgresDataType]) {
        lock.withLock { entries[number] }
    }

    /// The statement of `number` with these values.
    static func statement(_ number: Int, bindings: PostgresBindings) -> any KeptStatement {
        // The type, once found, is kept: finding it asks the runtime for `bits` generic types.
        let type = lock.withLock { slotTypes[number] } ?? {
            let type = build(Root.self, depth: bits, number: number)
            lock.withLock { slotTypes[number] = type }
            return type
        }()
        return type.init(bindings: bindings)
    }

    nonisolated(unsafe) private static var slotTypes: [Int: any KeptStatement.Type] = [:]

    private static func build<Path: SlotPath>(_ path: Path.Type, depth: Int, number: Int) -> any KeptStatement.Type {
        if depth == 0 { return Slot<Path>.self }
        if (number >> (depth - 1)) & 1 == 0 {
            return build(Node<Path, Zero>.self, depth: depth - 1, number: number)
        }
        return build(Node<Path, One>.self, depth: depth - 1, number: number)
    }
}

protocol KeptStatement: PostgresPreparedStatement where Row == [PostgresValue] {
    init(bindings: PostgresBindings)
}

protocol SlotBit { static var value: Int { get } }
enum Zero: SlotBit { static var value: Int { 0 } }
enum One: SlotBit { static var value: Int { 1 } }

protocol SlotPath { static var number: Int { get } }
enum Root: SlotPath { static var number: Int { 0 } }
enum Node<Parent: SlotPath, Bit: SlotBit>: SlotPath {
    static var number: Int { Parent.number << 1 | Bit.value }
}

struct Slot<Path: SlotPath>: KeptStatement {
    typealias Row = [PostgresValue]
    // Short: the server keeps a statement's name in NAMEDATALEN (64) bytes.
    static var name: String { "support_\(Path.number)" }
    static var sql: String { PreparedStatements.entry(Path.number).sql }
    static var bindingDataTypes: [PostgresDataType] { PreparedStatements.entry(Path.number).types }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }

    func decodeRow(_ row: PostgresRow) throws -> [PostgresValue] {
        try row.map { try NIOPostgresSession.value(of: $0) }
    }
}

/// Runs a task's pieces on one NIO event loop: a statement's task must not wait for the
/// cooperative pool, whose threads may all be waiting for statements (the server's requests).
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
