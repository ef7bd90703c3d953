import Foundation

/// Cuts what a mail client adds below (or around) what the person wrote: the quoted history and
/// the signature. Works on plain text, and on HTML turned into text (`HTMLText` writes
/// blockquotes as `> ` lines).
enum QuoteCutter {
    /// `text` up to the first line that starts quoted history or a signature, without a trailing
    /// `>` block; `text` itself (trimmed) when that would leave nothing.
    static func reply(from text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var end = lines.count
        if let cut = firstCut(lines) { end = cut }
        // A quoted block the client left at the end, with no attribution line above it.
        var index = end
        while index > 0 {
            let line = lines[index - 1].trimmingBlanks()
            if line.isEmpty || line.hasPrefix(">") { index -= 1 } else { break }
        }
        if index < end, lines[index..<end].contains(where: { $0.trimmingBlanks().hasPrefix(">") }) {
            end = index
        }
        let reply = lines[..<end].joined(separator: "\n").trimmingBlanks()
        return reply.isEmpty ? text.trimmingBlanks() : reply
    }

    /// The first line where quoted history or a signature begins.
    static func firstCut(_ lines: [String]) -> Int? {
        let plain = lines.map(unquoted)
        for index in lines.indices {
            let line = lines[index]
            if line == "-- " || line == "--" { return index }
            let trimmed = plain[index]
            guard let first = trimmed.first else { continue }
            if (first == "-" || first == "_") && isSeparator(trimmed) { return index }
            if isAttribution(trimmed, next: index + 1 < lines.count ? plain[index + 1] : nil,
                             third: index + 2 < lines.count ? plain[index + 2] : nil) {
                return index
            }
            if isHeaderBlock(plain, at: index) { return index }
            if first == "_", isUnderscoreRule(trimmed), index + 1 < lines.count,
               isHeaderBlock(plain, at: index + 1) || isHeaderBlock(plain, at: min(index + 2, lines.count - 1)) {
                return index
            }
        }
        return nil
    }

    /// The line without `>` quoting, blanks and `*` bold marks (Outlook's `*From:*`).
    private static func unquoted(_ line: String) -> String {
        var text = Substring(line)
        while let first = text.first, first == ">" || first == " " || first == "\t" { text = text.dropFirst() }
        return String(text).trimmingBlanks()
    }

    /// `-----Original Message-----` and its translations, `----- Forwarded message -----` excluded
    /// (a forward is what the person sends on, not history).
    private static func isSeparator(_ line: String) -> Bool {
        guard line.hasPrefix("---") || line.hasPrefix("___") else { return false }
        let words = line.lowercased().filter { $0.isLetter || $0 == " " || $0 == "'" }.trimmingBlanks()
        return [
            "original message", "ursprüngliche nachricht", "originalnachricht", "original-nachricht",
            "message d'origine", "message original", "mensaje original", "messaggio originale",
            "oorspronkelijk bericht", "originalmeddelande", "original meddelelse",
        ].contains(words.replacingHyphens())
    }

    private static func isUnderscoreRule(_ line: String) -> Bool {
        line.count >= 10 && line.allSatisfy { $0 == "_" }
    }

    /// "On … wrote:" in the languages clients write it, also wrapped over two or three lines
    /// (Gmail wraps long attributions).
    private static func isAttribution(_ line: String, next: String?, third: String?) -> Bool {
        let starts = ["on ", "am ", "le ", "el ", "il ", "op ", "den ", "på ", "em ", "w dniu ", "dne "]
        let head = line.prefix(12).lowercased()
        guard starts.contains(where: { head.hasPrefix($0) }) || startsWithNumericDate(head) else { return false }
        let lower = line.lowercased()
        var candidates = [lower]
        if let next { candidates.append(lower + " " + next.lowercased()) }
        if let next, let third { candidates.append(lower + " " + next.lowercased() + " " + third.lowercased()) }
        // The verb ends the line in English and French ("… Jane wrote:", "… a écrit :") and
        // comes before the name in German, Dutch, Swedish ("Am … schrieb Jane Doe:").
        let verbs = ["wrote", "schrieb", "a écrit", "escribió", "ha scritto", "schreef", "skrev",
                     "escreveu", "napisał", "napsal", "kirjoitti", "írta"]
        return candidates.contains { text in
            guard text.hasSuffix(":") else { return false }
            let body = text.dropLast().trimmingBlanks()
            return verbs.contains { body.hasSuffix($0) || body.contains(" \($0) ") }
        }
    }

    /// `12/5/26`, `05.12.2026`, `2026-12-05` at the start of a line (attributions that begin
    /// with the date). Hand-written: an NSRegularExpression per line cost 50 µs a line.
    private static func startsWithNumericDate(_ text: String) -> Bool {
        var groups = 0
        var digits = 0
        for char in text {
            if char.isASCII && char.isNumber {
                digits += 1
                if digits > 4 { return false }
            } else if (char == "/" || char == "." || char == "-") && digits > 0 {
                groups += 1
                digits = 0
                if groups == 2 { return true }
            } else {
                return false
            }
        }
        return false
    }

    /// Outlook's block: `From:` followed within a few lines by `Sent:`/`Date:` and `To:` or
    /// `Subject:` (in English, German, French, Spanish, Dutch).
    /// `lines` already without quoting (`unquoted`).
    private static func isHeaderBlock(_ lines: [String], at index: Int) -> Bool {
        let fromNames = ["from:", "von:", "de :", "de:", "van:", "da:", "från:", "fra:"]
        let first = lines[index].prefix(12).lowercased().replacingOccurrences(of: "*", with: "")
        guard fromNames.contains(where: { first.hasPrefix($0) }) else { return false }
        let dateNames = ["sent:", "date:", "gesendet:", "datum:", "envoyé :", "envoyé:", "enviado:", "enviado el:", "verzonden:", "inviato:", "skickat:", "sendt:", "fecha:"]
        let otherNames = ["to:", "an:", "à :", "à:", "para:", "aan:", "a:", "till:", "til:", "subject:", "betreff:", "objet :", "objet:", "asunto:", "onderwerp:", "oggetto:", "ämne:", "emne:", "cc:"]
        var sawDate = false
        var sawOther = false
        for offset in 1...5 where index + offset < lines.count {
            let line = lines[index + offset].prefix(16).lowercased().replacingOccurrences(of: "*", with: "")
            if dateNames.contains(where: { line.hasPrefix($0) }) { sawDate = true }
            if otherNames.contains(where: { line.hasPrefix($0) }) { sawOther = true }
        }
        return sawDate && sawOther
    }
}

private extension String {
    func replacingHyphens() -> String {
        replacingOccurrences(of: "-", with: " ")
    }
}
