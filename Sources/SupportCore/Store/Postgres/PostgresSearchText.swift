import CSQLiteConfig

/// PostgreSQL's search documents and queries, made of the tokens of SQLite's own full-text
/// tokenizer (FTS5's `porter unicode61`, `csqlite_tokenize`), so that a search finds the same
/// tickets on both engines: the same folding (case, diacritics), the same word boundaries, the
/// same Porter stemming. Before, PostgreSQL made them itself (`to_tsvector` with English snowball
/// stemming), which stems some words otherwise and cost its one backend ~66 µs a ticket of ~900
/// bytes, two thirds of it its parser (`psql`, 20,000 tickets: to_tsvector 1.32 s, `ts_parse`
/// alone 0.93 s): more than an import of 20,000 tickets a second has in all. Here a ticket's
/// documents cost the writing process a few µs (docs/benchmarks.md).
///
/// A document is a `tsvector` literal: every token with its positions (1, 2, … through subject,
/// message and replies in order, as `||` of the parts numbers them), the subject's weighted A
/// (relevance: `ts_rank` counts A ten times the default D), within PostgreSQL's limits for a
/// `tsvector` (a token of 2 KiB or more is left out, as `to_tsvector` leaves it out; a token keeps
/// its first 256 positions; positions past 16,383 are 16,383).
enum PostgresSearchText {
    /// The longest token a `tsvector` holds (a document leaves longer ones out: `csqlite_document`).
    static let maxLexemeBytes = 2_047

    /// The tokens of `text`, in order, as FTS5 makes them of a document (or of a query string).
    static func tokens(_ text: String, forQuery: Bool = false) -> [String] {
        final class Sink { var tokens: [String] = [] }
        let sink = Sink()
        var text = text
        let code = text.withUTF8 { bytes -> Int32 in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                csqlite_tokenize(chars, Int32(bytes.count), forQuery ? 1 : 0, Unmanaged.passUnretained(sink).toOpaque()) { context, token, length in
                    guard let context, let token else { return 0 }
                    let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                    sink.tokens.append(String(decoding: UnsafeRawBufferPointer(start: token, count: Int(length)), as: UTF8.self))
                    return 0
                }
            }
        }
        // FTS5 is part of the SQLite every build links (the SQLite desk's search needs it); a
        // missing tokenizer is a broken installation, not a text's fault.
        precondition(code == 0, "SQLite's FTS5 tokenizer is not available (SQLite result \(code))")
        return sink.tokens
    }

    /// A document being built (`csqlite_document`: C, for speed, with the figure there).
    final class Document {
        private let document: OpaquePointer

        init() {
            guard let document = csqlite_document_new() else { fatalError("out of memory building a search document") }
            self.document = document
        }

        deinit { csqlite_document_free(document) }

        func add(_ text: String, weightA: Bool = false) {
            var text = text
            let code = text.withUTF8 { bytes -> Int32 in
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    csqlite_document_add(document, $0, Int32(bytes.count), weightA ? 1 : 0)
                }
            }
            precondition(code == 0, "SQLite's FTS5 tokenizer is not available or memory ran out (SQLite result \(code))")
        }

        /// The `tsvector` literal (PostgreSQL sorts the tokens as it reads it).
        var literal: String {
            var length: Int32 = 0
            guard let bytes = csqlite_document_literal(document, &length) else { fatalError("out of memory building a search document") }
            return String(decoding: UnsafeRawBufferPointer(start: bytes, count: Int(length)), as: UTF8.self)
        }
    }

    /// A ticket's two documents: `public` (subject weighted A, message, public replies in order)
    /// and `staff` (the same, then the internal notes in order).
    static func documents(subject: String, message: String, replies: [(message: String, isInternal: Bool)])
        -> (public: String, staff: String) {
        let document = Document()
        document.add(subject, weightA: true)
        document.add(message)
        for reply in replies where !reply.isInternal { document.add(reply.message) }
        let publicLiteral = document.literal
        guard replies.contains(where: \.isInternal) else { return (publicLiteral, publicLiteral) }
        for reply in replies where reply.isInternal { document.add(reply.message) }
        return (publicLiteral, document.literal)
    }

    /// The words a reply adds to its ticket's documents (`||` moves its positions past theirs).
    static func words(of message: String) -> String {
        let document = Document()
        document.add(message)
        return document.literal
    }

    /// A search's `tsquery` literal: every word of the search (`AppDatabase.searchWords`) must be
    /// in the document; a word FTS5 cuts in several tokens must have them side by side, as FTS5
    /// reads a string of several tokens as a phrase. nil when nothing can match: no word, or a
    /// word without a token (SQLite's search matches nothing for it either) or with one no
    /// document can hold (2 KiB or more).
    static func query(_ text: String) -> String? {
        var parts: [String] = []
        for word in AppDatabase.searchWords(text) {
            let tokens = Self.tokens(word, forQuery: true)
            guard !tokens.isEmpty, tokens.allSatisfy({ $0.utf8.count <= maxLexemeBytes }) else { return nil }
            parts.append(tokens.count == 1 ? quoted(tokens[0]) : "(" + tokens.map(quoted).joined(separator: " <-> ") + ")")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " & ")
    }

    /// A token as `tsvector` and `tsquery` input read it: in single quotes, a quote doubled and a
    /// backslash escaped (unicode61 makes no token with either; the quoting holds if one did).
    static func quoted(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\\") }) else { return "'" + token + "'" }
        return "'" + token.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}
