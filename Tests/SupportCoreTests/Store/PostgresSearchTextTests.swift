import Foundation
import GRDB
import PropertyBased
import Testing

@testable import SupportCore

/// PostgreSQL's search documents (`PostgresSearchText`, built in C by `csqlite_document`) hold
/// exactly the tokens FTS5 makes of the same texts: checked against an FTS5 table with the SQLite
/// desk's tokenizer and its `fts5vocab` positions, on texts made of the hard parts (accents, CJK,
/// apostrophes, quotes, backslashes, punctuation, digits, a word past 2,047 bytes, a word past
/// 256 repeats, positions past 16,383), with PostgreSQL's limits applied to the expectation.
@Suite("PostgreSQL search documents from SQLite's tokens")
struct PostgresSearchTextTests {
    static let piece = Gen<String>.oneOf(
        Gen<String?>.element(of: ["Printer", "printers", "café", "CAFE", "naïve", "Straße", "日本語", "e-mail", "don't", "O'Brien",
                                  "back\\slash", "'quoted'", "\"dq\"", "v2.3", "RÉSUMÉ", "running", "x", "🙂", "—", "\t", "\n", "  ",
                                  "communication", "community", "it''s", "\\\\", "''"]).map { $0! },
        // Printable ASCII (a message holds no other control character than tab and newline: Validation)
        Gen<Character>.ascii.map { $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true ? " " : $0 }.string(of: 1...8),
        Gen<Int>.int(in: 0...9).map { String(repeating: "w\($0) ", count: 300) }
    )
    static let text = piece.array(of: 0...12).map { $0.joined(separator: " ") }

    /// FTS5's tokens of `texts`, each text a column of its own row, read back with positions
    /// counted on across the texts as the document counts them.
    static func expected(_ texts: [(String, Bool)]) throws -> (order: [String], positions: [String: [String]]) {
        let db = try DatabaseQueue()
        // Each insert committed on its own: fts5vocab reads the index as written, not the
        // terms a transaction still holds.
        return try db.inDatabase { db in
            try db.execute(sql: "CREATE VIRTUAL TABLE f USING fts5(a, tokenize = 'porter unicode61')")
            try db.execute(sql: "CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
            var order: [String] = []
            var positions: [String: [String]] = [:]
            var bytes = 0
            var next = 1
            for (index, (text, weightA)) in texts.enumerated() {
                try db.execute(sql: "INSERT INTO f(rowid, a) VALUES (?, ?)", arguments: [index + 1, text])
                let tokens = try String.fetchAll(db, sql: "SELECT term FROM v WHERE doc = ? ORDER BY offset", arguments: [index + 1])
                for token in tokens {
                    let position = "\(min(next, 16_383))" + (weightA ? "A" : "")
                    next += 1
                    guard token.utf8.count <= 2_047 else { continue }
                    if let seen = positions[token] {
                        if seen.count < 256 { positions[token]!.append(position) }
                    } else if bytes + token.utf8.count <= 1_000_000 {
                        bytes += token.utf8.count
                        order.append(token)
                        positions[token] = [position]
                    }
                }
            }
            return (order, positions)
        }
    }

    /// A `tsvector` literal read back: each quoted token ('' and \\ unescaped) with its positions.
    static func parse(_ literal: String) -> (order: [String], positions: [String: [String]])? {
        var order: [String] = []
        var positions: [String: [String]] = [:]
        var rest = Substring(literal)
        while !rest.isEmpty {
            guard rest.first == "'" else { return nil }
            rest = rest.dropFirst()
            var token = ""
            while true {
                guard let c = rest.first else { return nil }
                rest = rest.dropFirst()
                if c == "\\" || (c == "'" && rest.first == "'") {
                    guard let escaped = rest.first else { return nil }
                    token.append(escaped)
                    rest = rest.dropFirst()
                } else if c == "'" {
                    break
                } else {
                    token.append(c)
                }
            }
            guard rest.first == ":" else { return nil }
            rest = rest.dropFirst()
            let list = rest.prefix { $0 != " " }
            rest = rest.dropFirst(list.count).drop { $0 == " " }
            guard positions[token] == nil else { return nil }
            order.append(token)
            positions[token] = list.split(separator: ",").map(String.init)
        }
        return (order, positions)
    }

    @Test func documentsHoldFTS5sTokensAndPositions() async throws {
        await propertyCheck(count: 150, input: Self.text, Self.text, Self.text, Self.text) { subject, message, reply, note in
            let documents = PostgresSearchText.documents(subject: subject, message: message,
                                                         replies: [(reply, false), (note, true)])
            let publicWanted: (order: [String], positions: [String: [String]])?
            let staffWanted: (order: [String], positions: [String: [String]])?
            do {
                publicWanted = try Self.expected([(subject, true), (message, false), (reply, false)])
                staffWanted = try Self.expected([(subject, true), (message, false), (reply, false), (note, false)])
            } catch {
                Issue.record("FTS5's tokens: \(error)")
                return
            }
            let publicGot = Self.parse(documents.public), staffGot = Self.parse(documents.staff)
            #expect(publicGot?.order == publicWanted?.order && publicGot?.positions == publicWanted?.positions,
                    "\(subject.debugDescription) | \(message.debugDescription) | \(reply.debugDescription)\n\(documents.public)\nwanted \(String(describing: publicWanted))")
            #expect(staffGot?.order == staffWanted?.order && staffGot?.positions == staffWanted?.positions,
                    "\(subject.debugDescription) | \(message.debugDescription) | \(reply.debugDescription) | \(note.debugDescription)\n\(documents.staff)\nwanted \(String(describing: staffWanted))")
        }
    }

    @Test func limitsOfATSVectorAreKept() throws {
        // A word past 2,047 bytes is left out, a word keeps its first 256 positions, and positions
        // past 16,383 are 16,383
        let long = String(repeating: "y", count: 2_048), fits = String(repeating: "z", count: 2_047)
        let words = PostgresSearchText.words(of: "\(long) \(fits) " + String(repeating: "echo ", count: 300) + String(repeating: "q ", count: 17_000) + "last")
        let parsed = try #require(Self.parse(words))
        #expect(parsed.positions[long] == nil)
        #expect(parsed.positions[fits] == ["2"])
        #expect(parsed.positions["echo"]?.count == 256 && parsed.positions["echo"]?.first == "3")
        #expect(parsed.positions["last"] == ["16383"])
        #expect(parsed.order == [fits, "echo", "q", "last"])
    }

    @Test func queriesAreTheSearchWordsAsFTS5Tokens() {
        #expect(PostgresSearchText.query("Printers CAFÉ") == "'printer' & 'cafe'")
        #expect(PostgresSearchText.query("e-mail don't") == "'e' & 'mail' & 'don' & 't'")
        #expect(PostgresSearchText.query("foo·bar") == "('foo' <-> 'bar')", "one word of two tokens is a phrase")
        #expect(PostgresSearchText.query("🙂 !!! ''") == nil, "no word")
        #expect(PostgresSearchText.query(String(repeating: "y", count: 2_048)) == nil, "no document holds the word")
        #expect(PostgresSearchText.query("a & b | !c <-> d:*") == "'a' & 'b' & 'c' & 'd'", "tsquery syntax is no syntax")
    }
}
