/// Base64 (RFC 4648, the standard alphabet, padded, no line breaks) for `ticket export` and
/// `ticket import`: the export writes an attachment's content piece by piece as it reads the
/// blob, and the import refuses anything that is not exactly what the export writes (unlike
/// mail's lenient `TransferDecoding`, which must recover what it can).
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, char) in alphabet.enumerated() { table[Int(char)] = UInt8(value) }
        return table
    }()

    /// Encodes bytes that arrive in pieces: `append` each piece, then `finish`. Whole groups of
    /// three bytes are written at once; up to two wait for the next piece.
    public struct Encoder {
        private var carry: [UInt8] = []

        public init() {}

        public mutating func append(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
            var index = 0
            if !carry.isEmpty {
                while carry.count < 3 && index < bytes.count {
                    carry.append(bytes[index])
                    index += 1
                }
                guard carry.count == 3 else { return }
                Base64.group(carry[0], carry[1], carry[2], count: 3, to: &out)
                carry.removeAll(keepingCapacity: true)
            }
            out.reserveCapacity(out.count + (bytes.count - index) / 3 * 4 + 4)
            while bytes.count - index >= 3 {
                Base64.group(bytes[index], bytes[index + 1], bytes[index + 2], count: 3, to: &out)
                index += 3
            }
            carry.append(contentsOf: bytes[index...])
        }

        public mutating func finish(to out: inout [UInt8]) {
            guard !carry.isEmpty else { return }
            Base64.group(carry[0], carry.count > 1 ? carry[1] : 0, 0, count: carry.count, to: &out)
            carry.removeAll()
        }
    }

    private static func group(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, count: Int, to out: inout [UInt8]) {
        out.append(alphabet[Int(b0 >> 2)])
        out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
        out.append(count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
        out.append(count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var encoder = Encoder()
        bytes.withUnsafeBytes { encoder.append($0, to: &out) }
        encoder.finish(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes, or nil unless `text` is canonical padded base64: a length that is a multiple of
    /// four, only the alphabet, `=` only as the last one or two characters.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { utf8 -> [UInt8]? in
            guard utf8.count % 4 == 0 else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count / 4 * 3)
            var index = 0
            while index < utf8.count {
                let last = index + 4 == utf8.count
                var quad: (UInt32, Int) = (0, 0)
                for offset in 0..<4 {
                    let char = utf8[index + offset]
                    if char == UInt8(ascii: "=") {
                        // Padding only at the end: "xx==" or "xxx=".
                        guard last, offset >= 2, offset == 3 || utf8[index + 3] == UInt8(ascii: "=") else { return nil }
                        break
                    }
                    let value = values[Int(char)]
                    guard value != 0xFF else { return nil }
                    quad.0 = quad.0 | UInt32(value) << (18 - 6 * offset)
                    quad.1 += 1
                }
                out.append(UInt8(truncatingIfNeeded: quad.0 >> 16))
                if quad.1 > 2 { out.append(UInt8(truncatingIfNeeded: quad.0 >> 8)) }
                if quad.1 > 3 { out.append(UInt8(truncatingIfNeeded: quad.0)) }
                index += 4
            }
            return out
        }
    }
}
