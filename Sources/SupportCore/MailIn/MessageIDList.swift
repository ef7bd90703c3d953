/// Message-IDs out of `Message-ID`, `In-Reply-To`, `References`, `Content-ID`, without brackets.
enum MessageIDList {
    /// Every `<...>`; when there is none, the blank-separated words that look like ids
    /// (`local@domain`), since some mailers drop the brackets. Comments and junk are ignored;
    /// an id is at most 998 bytes, more is a hostile header and is dropped.
    static func parse(_ header: String?) -> [String] {
        guard let header else { return [] }
        var ids: [String] = []
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: ">") else { break }
            let id = after[..<close].filter { !$0.isWhitespace }
            if !id.isEmpty, id.utf8.count <= 998, !id.unicodeScalars.contains(where: TextDecoding.isBlankOrControl) {
                ids.append(id)
            }
            rest = after[after.index(after: close)...]
        }
        if ids.isEmpty && !header.contains("<") {
            for word in header.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            where word.contains("@") && word.utf8.count <= 998 && !word.contains("(") {
                ids.append(String(word))
            }
        }
        return ids
    }
}
