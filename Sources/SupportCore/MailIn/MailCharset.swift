import Foundation

/// Turns the bytes of a text part or an encoded-word into a String, by the declared charset.
///
/// Foundation decodes every charset real clients send, but on Linux `String.Encoding(ianaName:)`
/// knows only the few encodings that have a `String.Encoding` constant (no ISO-8859-5..15, no
/// KOI8-R, no Windows-1255..1258; measured with Swift 6.3.1), and `CFStringConvertIANACharSetNameToEncoding`
/// cannot be called from Swift there (no `CFString` bridging). So the IANA names are mapped here to
/// CoreFoundation's encoding numbers, which `String(bytes:encoding:)` does decode on Linux
/// (`0x8000_0000 | CFStringEncoding`, the NSString encoding of a CF encoding). No decoder is written
/// by hand.
enum MailCharset {
    /// The CFStringEncoding of each supported charset (values from CFStringEncodingExt.h).
    private static let coreFoundationEncodings: [String: UInt] = {
        var table: [String: UInt] = [
            "iso-8859-1": 0x0201, "iso-8859-2": 0x0202, "iso-8859-3": 0x0203, "iso-8859-4": 0x0204,
            "iso-8859-5": 0x0205, "iso-8859-6": 0x0206, "iso-8859-7": 0x0207, "iso-8859-8": 0x0208,
            "iso-8859-9": 0x0209, "iso-8859-10": 0x020A, "iso-8859-11": 0x020B, "iso-8859-13": 0x020D,
            "iso-8859-14": 0x020E, "iso-8859-15": 0x020F, "iso-8859-16": 0x0210,
            "windows-1252": 0x0500, "windows-1250": 0x0501, "windows-1251": 0x0502, "windows-1253": 0x0503,
            "windows-1254": 0x0504, "windows-1255": 0x0505, "windows-1256": 0x0506, "windows-1257": 0x0507,
            "windows-1258": 0x0508, "windows-874": 0x041D,
            "koi8-r": 0x0A02, "koi8-u": 0x0A08,
            "iso-2022-jp": 0x0820, "shift_jis": 0x0A01, "windows-31j": 0x0421, "euc-jp": 0x0920,
            "euc-kr": 0x0940, "ks_c_5601-1987": 0x0422, "big5": 0x0A03, "big5-hkscs": 0x0A06,
            "gb2312": 0x0632, "gbk": 0x0632, "gb18030": 0x0632,
            "ibm437": 0x0400, "ibm850": 0x0410, "ibm866": 0x0413,
            "utf-16": 0x0100, "utf-16be": 0x1000_0100, "utf-16le": 0x1400_0100,
        ]
        // Names clients really write for the same charsets.
        let aliases: [String: String] = [
            "latin1": "iso-8859-1", "l1": "iso-8859-1", "latin2": "iso-8859-2", "latin-9": "iso-8859-15",
            "latin9": "iso-8859-15", "cyrillic": "iso-8859-5", "greek": "iso-8859-7", "hebrew": "iso-8859-8",
            "shift-jis": "shift_jis", "sjis": "shift_jis", "x-sjis": "shift_jis", "ms_kanji": "shift_jis",
            "cp932": "windows-31j", "ms932": "windows-31j", "x-euc-jp": "euc-jp",
            "cp949": "ks_c_5601-1987", "ks_c_5601": "ks_c_5601-1987", "x-gbk": "gbk", "cp936": "gbk",
            "euc-cn": "gb2312", "x-euc-cn": "gb2312", "cp437": "ibm437", "cp850": "ibm850", "cp866": "ibm866",
            "koi8r": "koi8-r", "koi8u": "koi8-u", "csiso2022jp": "iso-2022-jp", "tis-620": "windows-874",
            "unicode": "utf-16",
        ]
        for (alias, name) in aliases { table[alias] = table[name] }
        return table
    }()

    private enum Kind { case utf8, ascii, foundation(String.Encoding) }

    /// A declared charset name, lower-cased and with the usual misspellings mended
    /// (`ISO8859_1`, `iso-8859-1:1987`, `cp1252`, `x-win-1251`, `"utf-8"` in quotes...).
    static func normalisedName(_ declared: String) -> String {
        var name = declared.trimmingBlanks().lowercased()
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }
        if name.hasPrefix("x-") && !name.hasPrefix("x-euc") && !name.hasPrefix("x-sjis") && !name.hasPrefix("x-gbk") {
            name.removeFirst(2)
        }
        for prefix in ["iso8859", "iso_8859", "iso 8859", "iso-8859"] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count).drop { $0 == "-" || $0 == "_" || $0 == " " }
            return "iso-8859-" + rest
        }
        for prefix in ["windows-", "windows", "cp", "win-", "win", "ms-"] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            if rest.count == 4, rest.hasPrefix("125"), rest.allSatisfy(\.isNumber) { return "windows-" + rest }
        }
        switch name {
        case "utf8", "utf-8", "unicode-1-1-utf-8", "unicode-2-0-utf-8": return "utf-8"
        case "ascii", "us-ascii", "ansi_x3.4-1968", "iso646-us", "us", "646", "default": return "us-ascii"
        default: return name
        }
    }

    private static func kind(of declared: String?) -> Kind? {
        guard let declared else { return nil }
        let name = normalisedName(declared)
        switch name {
        case "utf-8": return .utf8
        case "us-ascii": return .ascii
        default:
            guard let value = coreFoundationEncodings[name] else { return nil }
            return .foundation(String.Encoding(rawValue: 0x8000_0000 | value))
        }
    }

    /// True when this charset name is one `decode` knows (tests and diagnostics).
    static func isKnown(_ declared: String) -> Bool {
        kind(of: declared) != nil
    }

    /// Never fails: a known charset that does not fit the bytes, or an unknown one, falls back to
    /// UTF-8 when the bytes are valid UTF-8, then to Windows-1252, then to Latin-1 (every byte is
    /// a Latin-1 character). Text declared UTF-8 that is not is decoded with U+FFFD for bad bytes.
    static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes, charset declared: String?) -> String {
        let kind = kind(of: declared)
        if case .foundation(let encoding) = kind, encoding.rawValue == 0x8000_0920,
           let text = String(bytes: eucJPAsISO2022JP(bytes), encoding: String.Encoding(rawValue: 0x8000_0820)) {
            return text
        }
        if case .foundation(let encoding) = kind,
           let text = String(bytes: bytes, encoding: encoding) {
            return text
        }
        if let text = String(validating: bytes, as: UTF8.self) {
            return text
        }
        if case .utf8 = kind {
            return String(decoding: bytes, as: UTF8.self)
        }
        if let text = String(bytes: bytes, encoding: .windowsCP1252) {
            return text
        }
        return latin1(bytes)
    }

    /// Foundation on Linux cannot decode EUC-JP (`String(bytes:encoding: .japaneseEUC)` is nil
    /// for valid text) but decodes ISO-2022-JP, and both carry JIS X 0208 the same way: EUC-JP
    /// sets the high bit of both bytes, ISO-2022-JP switches with escapes. So EUC-JP is rewritten
    /// into ISO-2022-JP rather than decoded with a table of our own. Half-width katakana and
    /// JIS X 0212 (rare in mail) become `?`.
    static func eucJPAsISO2022JP<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var inKanji = false
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            if byte >= 0xA1 && byte <= 0xFE, let second = iterator.next() {
                if !inKanji { out += [0x1B, 0x24, 0x42]; inKanji = true }  // ESC $ B
                out += [byte & 0x7F, second & 0x7F]
                continue
            }
            if inKanji { out += [0x1B, 0x28, 0x42]; inKanji = false }  // ESC ( B
            switch byte {
            case 0x8E: _ = iterator.next(); out.append(UInt8(ascii: "?"))
            case 0x8F: _ = iterator.next(); _ = iterator.next(); out.append(UInt8(ascii: "?"))
            case 0x80...: out.append(UInt8(ascii: "?"))
            default: out.append(byte)
            }
        }
        if inKanji { out += [0x1B, 0x28, 0x42] }
        return out
    }

    static func latin1<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var text = ""
        text.unicodeScalars.reserveCapacity(bytes.count)
        for byte in bytes { text.unicodeScalars.append(Unicode.Scalar(byte)) }
        return text
    }
}
