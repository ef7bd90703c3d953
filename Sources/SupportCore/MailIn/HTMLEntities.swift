extension HTMLText {
    /// Named entities that mail HTML uses (Outlook, Gmail and Apple Mail write these), the
    /// Latin-1 set, and every numeric reference. Unknown names stay as written.
    private static let namedEntities: [String: String] = {
        var table: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ",
            "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "sbquo": "‚",
            "ldquo": "“", "rdquo": "”", "bdquo": "„", "euro": "€", "bull": "•", "trade": "™",
            "dagger": "†", "Dagger": "‡", "permil": "‰", "lsaquo": "‹", "rsaquo": "›", "oelig": "œ",
            "OElig": "Œ", "scaron": "š", "Scaron": "Š", "zcaron": "ž", "Zcaron": "Ž", "Yuml": "Ÿ",
            "fnof": "ƒ", "circ": "ˆ", "tilde": "˜", "ensp": " ", "emsp": " ", "thinsp": " ",
            "zwnj": "\u{200C}", "zwj": "\u{200D}", "lrm": "", "rlm": "", "larr": "←", "rarr": "→",
            "uarr": "↑", "darr": "↓", "harr": "↔", "minus": "−", "le": "≤", "ge": "≥", "ne": "≠",
            "infin": "∞", "check": "✓", "hearts": "♥",
        ]
        let latin1 = "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml"
        for (offset, name) in latin1.split(separator: " ").enumerated() where table[String(name)] == nil {
            table[String(name)] = String(Unicode.Scalar(UInt8(160 + offset)))
        }
        return table
    }()

    static func decodeEntities(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            let candidate = after.prefix(12)
            if let semicolon = candidate.firstIndex(of: ";"), let decoded = entity(after[..<semicolon]) {
                out += decoded
                rest = after[after.index(after: semicolon)...]
            } else {
                out += "&"
                rest = after
            }
        }
        out += rest
        return out
    }

    private static func entity(_ name: Substring) -> String? {
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X")
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            guard let value, let scalar = Unicode.Scalar(value), value != 0 else { return "\u{FFFD}" }
            return String(scalar)
        }
        return namedEntities[String(name)]
    }
}
