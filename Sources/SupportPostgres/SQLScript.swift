/// A script's statements, split at the semicolons that end them. postgres-nio sends statements
/// through the extended protocol, which takes one at a time, so a migration's script is split
/// here as PostgreSQL's own lexer would split it: a `;` inside a string ('…', E'…' with its
/// backslash escapes), a quoted name ("…"), a dollar-quoted body ($$…$$, $tag$…$tag$, as in a
/// function) or a comment (-- …, nested /* … */) ends nothing.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var start = 0
        var index = 0
        let count = characters.count

        func at(_ offset: Int) -> Unicode.Scalar? {
            offset < count ? characters[offset] : nil
        }
        func isIdentifierCharacter(_ scalar: Unicode.Scalar?) -> Bool {
            guard let scalar else { return false }
            return scalar == "_" || scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "$"
        }
        func finish(upTo end: Int) {
            var text = String(String.UnicodeScalarView(characters[start..<end]))
            text = text.trimmingWhitespace()
            if !text.isEmpty && !isOnlyComments(text) { statements.append(text) }
        }

        while index < count {
            let scalar = characters[index]
            switch scalar {
            case "'":
                // E'…' (escape string): a backslash escapes the next character.
                let escapes = index > 0 && (characters[index - 1] == "E" || characters[index - 1] == "e")
                    && !isIdentifierCharacter(index > 1 ? characters[index - 2] : nil)
                index += 1
                while index < count {
                    if escapes && characters[index] == "\\" {
                        index += 2
                        continue
                    }
                    if characters[index] == "'" {
                        // '' is a quote inside the string.
                        if at(index + 1) == "'" { index += 2; continue }
                        break
                    }
                    index += 1
                }
                index += 1
            case "\"":
                index += 1
                while index < count {
                    if characters[index] == "\"" {
                        if at(index + 1) == "\"" { index += 2; continue }
                        break
                    }
                    index += 1
                }
                index += 1
            case "-" where at(index + 1) == "-":
                while index < count && characters[index] != "\n" { index += 1 }
            case "/" where at(index + 1) == "*":
                var depth = 1
                index += 2
                while index < count && depth > 0 {
                    if characters[index] == "/" && at(index + 1) == "*" { depth += 1; index += 2 }
                    else if characters[index] == "*" && at(index + 1) == "/" { depth -= 1; index += 2 }
                    else { index += 1 }
                }
            case "$" where !isIdentifierCharacter(index > 0 ? characters[index - 1] : nil):
                // $tag$ … $tag$, where the tag is empty or an identifier (not $1, a parameter).
                var end = index + 1
                while end < count, characters[end] != "$", isIdentifierCharacter(characters[end]) { end += 1 }
                let tagIsValid = end < count && characters[end] == "$" && !(("0"..."9").contains(at(index + 1) ?? " "))
                guard tagIsValid else { index += 1; break }
                let tag = Array(characters[index...end])
                index = end + 1
                while index < count {
                    if characters[index] == "$" && index + tag.count <= count && Array(characters[index..<index + tag.count]) == tag {
                        index += tag.count
                        break
                    }
                    index += 1
                }
            case ";":
                finish(upTo: index)
                index += 1
                start = index
            default:
                index += 1
            }
        }
        if start < count { finish(upTo: count) }
        return statements
    }

    /// A piece that holds only comments is no statement (the server would answer an empty query).
    private static func isOnlyComments(_ text: String) -> Bool {
        var rest = Substring(text)
        while !rest.isEmpty {
            rest = rest.drop(while: { $0.isWhitespace })
            if rest.hasPrefix("--") {
                rest = rest.drop(while: { $0 != "\n" })
            } else if rest.hasPrefix("/*") {
                guard let close = rest.range(of: "*/") else { return true }
                rest = rest[close.upperBound...]
            } else {
                return rest.isEmpty
            }
        }
        return true
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
