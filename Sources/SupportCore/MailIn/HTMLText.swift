import Foundation

/// Turns the HTML of an HTML-only mail into text a person can read in a terminal: paragraphs
/// and line breaks kept, list items as `- item`, links as `text (url)`, quotations as `> `
/// lines (so that quoted history can be cut like in plain text), entities decoded, scripts,
/// styles and the head dropped. Not a browser: tables become lines, images their alt text.
enum HTMLText {
    private static let blockTags: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "ul", "ol", "dl", "dt", "dd",
        "pre", "address", "section", "article", "header", "footer", "center", "form", "hr", "blockquote",
    ]
    private static let paragraphTags: Set<String> = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "blockquote"]
    private static let droppedTags: Set<String> = ["script", "style", "head", "title", "noscript", "template", "xml", "svg", "object"]

    static func text(_ html: String) -> String {
        var writer = Writer()
        var rest = Substring(html)
        var links: [(href: String, textStart: Int)] = []
        var preDepth = 0
        while !rest.isEmpty {
            guard let lt = rest.firstIndex(of: "<") else {
                writer.text(decodeEntities(rest), preformatted: preDepth > 0)
                break
            }
            if lt > rest.startIndex {
                writer.text(decodeEntities(rest[..<lt]), preformatted: preDepth > 0)
            }
            rest = rest[lt...]
            if rest.hasPrefix("<!--") {
                rest = rest.range(of: "-->").map { rest[$0.upperBound...] } ?? ""
                continue
            }
            // `a < b` is text: a tag starts with a letter, `/`, `!` or `?`.
            let next = rest.dropFirst().first
            guard let next, next.isLetter || next == "/" || next == "!" || next == "?" else {
                writer.text("<", preformatted: preDepth > 0)
                rest = rest.dropFirst()
                continue
            }
            guard let gt = tagEnd(rest) else {
                break  // a tag cut off at the end, as browsers do: dropped
            }
            let tag = Tag(rest[rest.index(after: rest.startIndex)..<gt])
            rest = rest[rest.index(after: gt)...]
            guard let tag else {
                continue
            }
            if droppedTags.contains(tag.name) && !tag.isClosing && !tag.isSelfClosing {
                // Skip to the matching close tag.
                let close = "</" + tag.name
                if let end = rest.range(of: close, options: .caseInsensitive) {
                    rest = rest[end.upperBound...]
                    if let gt = rest.firstIndex(of: ">") { rest = rest[rest.index(after: gt)...] }
                } else {
                    rest = ""
                }
                continue
            }
            switch tag.name {
            case "br":
                writer.lineBreak()
            case "li":
                if !tag.isClosing {
                    writer.endLine()
                    writer.text("- ", preformatted: true)
                } else {
                    writer.endLine()
                }
            case "a":
                if !tag.isClosing {
                    links.append((tag.attributes["href"] ?? "", writer.characterCount))
                } else if let link = links.popLast() {
                    let written = writer.written(since: link.textStart).trimmingBlanks()
                    let href = decodeEntities(Substring(link.href)).trimmingBlanks()
                    if shouldShow(href: href, text: written) { writer.text(" (\(href))", preformatted: true) }
                }
            case "img":
                if let alt = tag.attributes["alt"], !alt.trimmingBlanks().isEmpty {
                    writer.text(decodeEntities(Substring(alt)), preformatted: false)
                }
            case "blockquote":
                writer.blockBoundary(paragraph: true)
                writer.quoteDepth = max(0, writer.quoteDepth + (tag.isClosing ? -1 : 1))
            case "pre":
                writer.blockBoundary(paragraph: true)
                preDepth = max(0, preDepth + (tag.isClosing ? -1 : 1))
            case "td", "th":
                if tag.isClosing { writer.text(" ", preformatted: false) }
            case "hr":
                writer.blockBoundary(paragraph: false)
                writer.text("----", preformatted: true)
                writer.blockBoundary(paragraph: false)
            default:
                if blockTags.contains(tag.name) {
                    writer.blockBoundary(paragraph: paragraphTags.contains(tag.name))
                }
            }
        }
        return writer.finish()
    }

    /// A link is shown after its text unless it says nothing more (`mailto:` of the same
    /// address, the URL itself as text, an anchor).
    private static func shouldShow(href: String, text: String) -> Bool {
        if href.isEmpty || href.hasPrefix("#") || href.lowercased().hasPrefix("javascript:") || href.hasPrefix("cid:") { return false }
        if href == text { return false }
        let lower = href.lowercased()
        if lower.hasPrefix("mailto:") && String(href.dropFirst(7)).split(separator: "?").first.map(String.init) == text { return false }
        if lower.hasPrefix("tel:") && String(href.dropFirst(4)) == text { return false }
        for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
            let bare = String(href.dropFirst(scheme.count))
            if bare == text || bare == text + "/" { return false }
        }
        return true
    }

    /// The `>` that ends a tag, skipping `>` inside quoted attribute values.
    private static func tagEnd(_ text: Substring) -> Substring.Index? {
        var quote: Character?
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let char = text[index]
            if let open = quote {
                if char == open { quote = nil }
            } else if char == "\"" || char == "'" {
                quote = char
            } else if char == ">" {
                return index
            }
            index = text.index(after: index)
        }
        return nil
    }

    struct Tag {
        var name: String
        var isClosing: Bool
        var isSelfClosing: Bool
        var attributes: [String: String]

        /// nil for doctype, processing instructions and text that only looked like a tag.
        init?(_ inside: Substring) {
            var body = inside
            isClosing = body.hasPrefix("/")
            if isClosing { body = body.dropFirst() }
            isSelfClosing = body.hasSuffix("/")
            let nameEnd = body.firstIndex { !($0.isLetter || $0.isNumber || $0 == ":" || $0 == "-") } ?? body.endIndex
            let rawName = body[..<nameEnd]
            guard let first = rawName.first, first.isLetter else { return nil }
            name = rawName.lowercased()
            attributes = Self.attributes(body[nameEnd...])
        }

        private static func attributes(_ text: Substring) -> [String: String] {
            var result: [String: String] = [:]
            var rest = text
            while true {
                rest = rest.drop { $0.isWhitespace || $0 == "/" }
                guard !rest.isEmpty else { break }
                let nameEnd = rest.firstIndex { $0.isWhitespace || $0 == "=" || $0 == "/" } ?? rest.endIndex
                let name = rest[..<nameEnd].lowercased()
                rest = rest[nameEnd...].drop { $0.isWhitespace }
                guard rest.first == "=" else {
                    if !name.isEmpty { result[name] = result[name] ?? "" }
                    if nameEnd == rest.startIndex && rest.isEmpty { break }
                    continue
                }
                rest = rest.dropFirst().drop { $0.isWhitespace }
                var value: Substring
                if let quote = rest.first, quote == "\"" || quote == "'" {
                    let afterQuote = rest.dropFirst()
                    let close = afterQuote.firstIndex(of: quote) ?? afterQuote.endIndex
                    value = afterQuote[..<close]
                    rest = close < afterQuote.endIndex ? afterQuote[afterQuote.index(after: close)...] : ""
                } else {
                    let end = rest.firstIndex { $0.isWhitespace } ?? rest.endIndex
                    value = rest[..<end]
                    rest = rest[end...]
                }
                if result[name] == nil { result[name] = String(value) }
            }
            return result
        }
    }

    /// Output with collapsed blanks, at most one empty line in a row, and `> ` prefixes.
    struct Writer {
        private var lines: [String] = []
        private var line = ""
        private var lineDepth = 0
        private var pendingSpace = false
        private var pendingBlankLine = false
        /// The quote depth of the pending empty line: the outer one at a blockquote's edge.
        private var pendingBlankDepth = 0
        var quoteDepth = 0
        private(set) var characterCount = 0
        private var all = ""

        mutating func text(_ text: String, preformatted: Bool) {
            for char in text {
                if preformatted {
                    if char == "\n" { lineBreak(); continue }
                    append(char)
                    continue
                }
                if char.isWhitespace {
                    pendingSpace = !line.isEmpty
                } else {
                    if pendingSpace { append(" ") }
                    pendingSpace = false
                    append(char)
                }
            }
        }

        private mutating func append(_ char: Character) {
            if line.isEmpty {
                if pendingBlankLine && !lines.isEmpty { lines.append(prefix(min(pendingBlankDepth, quoteDepth)).trimmingBlanks()) }
                pendingBlankLine = false
                lineDepth = quoteDepth
            }
            line.append(char)
            all.append(char)
            characterCount += 1
        }

        func written(since start: Int) -> String {
            String(all.suffix(max(0, characterCount - start)))
        }

        private func prefix(_ depth: Int) -> String {
            depth > 0 ? String(repeating: ">", count: depth) + " " : ""
        }

        mutating func lineBreak() {
            lines.append(line.isEmpty ? prefix(quoteDepth).trimmingBlanks() : prefix(lineDepth) + line)
            line = ""
            pendingSpace = false
        }

        mutating func endLine() {
            if !line.isEmpty { lineBreak() }
            pendingSpace = false
        }

        mutating func blockBoundary(paragraph: Bool) {
            endLine()
            if paragraph {
                pendingBlankDepth = pendingBlankLine ? min(pendingBlankDepth, quoteDepth) : quoteDepth
                pendingBlankLine = true
            }
        }

        mutating func finish() -> String {
            endLine()
            // No more than one empty line in a row, none at the ends.
            var out: [String] = []
            for line in lines.map({ $0.trimmingTrailingBlanks() }) {
                if line.isEmpty || line.allSatisfy({ $0 == ">" }) {
                    if let last = out.last, last.isEmpty || last.allSatisfy({ $0 == ">" }) { continue }
                }
                out.append(line)
            }
            while let first = out.first, first.isEmpty { out.removeFirst() }
            while let last = out.last, last.isEmpty { out.removeLast() }
            return out.joined(separator: "\n")
        }
    }
}

extension String {
    func trimmingTrailingBlanks() -> String {
        var copy = self
        while let last = copy.last, last == " " || last == "\t" || last == "\u{00A0}" { copy.removeLast() }
        return copy
    }
}
