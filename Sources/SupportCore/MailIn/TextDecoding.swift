/// Small text helpers shared by the parsers of incoming mail.
enum TextDecoding {
    /// A raw header value: UTF-8 when it is (RFC 6532 allows it), else Latin-1, which never fails.
    static func headerString<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        String(validating: bytes, as: UTF8.self) ?? MailCharset.latin1(bytes)
    }

    /// One line for display: every control character (CR, LF, NUL, ...), Unicode line and
    /// paragraph separator and bidirectional override becomes a space; runs of blanks become one
    /// space; no blanks at the ends. Hostile encoded-words cannot smuggle a line break this way.
    static func oneLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isBlankOrControl(scalar) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(scalar)
        }
        return String(out)
    }

    static func isBlankOrControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    /// Body text as lines joined by LF: CR LF and lone CR become LF; NUL and the other control
    /// characters except tab and form feed are dropped (a database column and a terminal should
    /// never see them).
    static func normalisedBody(_ text: String) -> String {
        // Byte by byte: every change is to an ASCII byte or drops a whole U+FEFF (EF BB BF), so
        // the result is as valid UTF-8 as the text. Appending scalar by scalar to a String was
        // 3 % of a Maildir run's CPU (docs/benchmarks.md, "Mail in: speed").
        var text = text
        return text.withUTF8 { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var previousWasCR = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x0D:
                    out.append(0x0A)
                    previousWasCR = true
                    continue
                case 0x0A:
                    if !previousWasCR { out.append(0x0A) }
                case 0x09, 0x0C:
                    out.append(byte)
                case 0x00...0x1F, 0x7F:
                    break
                case 0xEF where index + 1 < bytes.count && bytes[index] == 0xBB && bytes[index + 1] == 0xBF:
                    index += 2
                default:
                    out.append(byte)
                }
                previousWasCR = false
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
