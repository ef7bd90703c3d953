/// Joins `format=flowed` text (RFC 3676), which Thunderbird and Apple Mail send: a line ending
/// in a space continues on the next line. Quoted lines (`>`) join only with lines of the same
/// depth; the signature separator `-- ` never joins.
enum FlowedText {
    static func unflow(_ text: String, deleteSpace: Bool) -> String {
        var out: [String] = []
        var paragraph = ""
        var paragraphDepth = -1
        func end() {
            if paragraphDepth >= 0 { out.append(paragraph) }
            paragraph = ""
            paragraphDepth = -1
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(rawLine)
            let depth = line.prefix { $0 == ">" }.count
            line = line.dropFirst(depth)
            if line.hasPrefix(" ") { line = line.dropFirst() }  // space-stuffing
            let prefix = depth > 0 ? String(repeating: ">", count: depth) + " " : ""
            if paragraphDepth >= 0 && depth != paragraphDepth { end() }
            let isFlowed = line.hasSuffix(" ") && line != "-- "
            var content = String(line)
            if isFlowed && deleteSpace { content.removeLast() }
            if paragraphDepth < 0 {
                paragraph = prefix + content
                paragraphDepth = depth
            } else {
                paragraph += content
            }
            if !isFlowed { end() }
        }
        end()
        return out.joined(separator: "\n")
    }
}
