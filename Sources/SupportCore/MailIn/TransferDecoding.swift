/// Content-Transfer-Encoding decoders. Lenient, as mail readers must be: bad input yields the
/// bytes that can be recovered, never an error. Hand-written rather than Foundation's
/// `Data(base64Encoded:options: .ignoreUnknownCharacters)` because that needs the input copied
/// into a `Data` first (one more copy of a 50 MB attachment) and then stops at a stray `=`.
enum TransferDecoding {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, encoding: String?) -> [UInt8] {
        switch encoding?.trimmingBlanks().lowercased() {
        case "base64": base64(bytes, range)
        case "quoted-printable": quotedPrintable(bytes, range)
        default: Array(bytes[range])  // 7bit, 8bit, binary, and anything unknown: as is
        }
    }

    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = UInt8(value)
        }
        // The URL-safe alphabet too: some generators use it.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Skips every character outside the alphabet (line breaks, blanks, stray `=` and junk),
    /// so a wrongly wrapped or padded body still decodes; a trailing lone sextet is dropped.
    static func base64(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count / 4 * 3 + 3)
        base64Values.withUnsafeBufferPointer { table in
            var accumulator: UInt32 = 0
            var count = 0
            for index in range {
                let value = table[Int(bytes[index])]
                if value == 0xFF { continue }
                accumulator = accumulator << 6 | UInt32(value)
                count += 1
                if count == 4 {
                    out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                    out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                    out.append(UInt8(truncatingIfNeeded: accumulator))
                    accumulator = 0
                    count = 0
                }
            }
            if count == 3 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
                out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
            } else if count == 2 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
            }
        }
        return out
    }

    /// `=XX` becomes the byte, `=` at a line end joins the lines, and an `=` followed by anything
    /// else is kept as written (what Thunderbird and Python do with broken input).
    static func quotedPrintable(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "=") else {
                out.append(byte)
                index += 1
                continue
            }
            // A soft line break, possibly with blanks a mailer added after the `=`.
            var probe = index + 1
            while probe < end, bytes[probe] == 0x20 || bytes[probe] == 0x09 { probe += 1 }
            if probe == end { index = end; continue }
            if bytes[probe] == 0x0A { index = probe + 1; continue }
            if bytes[probe] == 0x0D {
                index = probe + 1 < end && bytes[probe + 1] == 0x0A ? probe + 2 : probe + 1
                continue
            }
            if index + 2 < end, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    /// The `Q` encoding of RFC 2047: quoted-printable where `_` stands for a space.
    static func qEncoding(_ text: Substring.UTF8View) -> [UInt8] {
        var out: [UInt8] = []
        var iterator = Array(text)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "_") {
                out.append(0x20)
            } else if byte == UInt8(ascii: "="), iterator.count >= 2,
                      let high = hexValue(iterator[iterator.startIndex]),
                      let low = hexValue(iterator[iterator.startIndex + 1]) {
                out.append(high << 4 | low)
                iterator.removeFirst(2)
            } else {
                out.append(byte)
            }
        }
        return out
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
