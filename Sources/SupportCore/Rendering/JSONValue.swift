/// A JSON document built in the order the seed lists its fields, written by hand: Foundation's
/// encoder on Linux neither keeps key order nor prints empty arrays compactly, and scripts and
/// diffs (export → import → export) want stable bytes.
public indirect enum JSONValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    /// A finite number written with a fixed count of decimals (a rate: `0.3750`).
    case fixed(Double, digits: Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.serialized(pretty: false) == rhs.serialized(pretty: false)
    }

    public func serialized(pretty: Bool) -> String {
        String(decoding: serializedBytes(pretty: pretty), as: UTF8.self)
    }

    /// The UTF-8 bytes of `serialized`, without making a String of them (the server sends bytes:
    /// the String cost a copy and a UTF-8 check of every page it sent).
    public func serializedBytes(pretty: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(to: &out, pretty: pretty, depth: 0)
        return out
    }

    /// Written as UTF-8 bytes: appending scalar by scalar to a String cost a quarter of a
    /// `ticket list --json` run.
    func write(to out: inout [UInt8], pretty: Bool, depth: Int) {
        switch self {
        case .string(let s): Self.quote(s, into: &out)
        case .int(let n): out.append(contentsOf: String(n).utf8)
        case .fixed(let x, let digits):
            out.append(contentsOf: (x.isFinite ? String(format: "%.\(digits)f", x) : "null").utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let items):
            guard !items.isEmpty else { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { Self.newline(&out, depth + 1) }
                item.write(to: &out, pretty: pretty, depth: depth + 1)
            }
            if pretty { Self.newline(&out, depth) }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { Self.newline(&out, depth + 1) }
                Self.quote(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                value.write(to: &out, pretty: pretty, depth: depth + 1)
            }
            if pretty { Self.newline(&out, depth) }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func newline(_ out: inout [UInt8], _ depth: Int) {
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<depth { out.append(UInt8(ascii: " ")); out.append(UInt8(ascii: " ")) }
    }

    /// RFC 8259 string escaping; every control character (C0, DEL, C1) and the line and paragraph
    /// separators are escaped, so JSON output can never carry a raw terminal escape sequence.
    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // The string's own bytes, not a copy: an array per string was a tenth of an export.
        if s.utf8.withContiguousStorageIfAvailable({ quote(bytes: $0, into: &out) }) == nil {
            var copy = s
            copy.makeContiguousUTF8()
            copy.utf8.withContiguousStorageIfAvailable { quote(bytes: $0, into: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func quote(bytes utf8: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var start = 0
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            guard needsAttention(byte) else { index += 1; continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
            var consumed = 1
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            case 0xC2 where index + 1 < utf8.count && (0x80...0x9F).contains(utf8[index + 1]):
                escape(UInt32(utf8[index + 1]), into: &out)
                consumed = 2
            case 0xE2 where index + 2 < utf8.count && utf8[index + 1] == 0x80 && (utf8[index + 2] == 0xA8 || utf8[index + 2] == 0xA9):
                escape(utf8[index + 2] == 0xA8 ? 0x2028 : 0x2029, into: &out)
                consumed = 3
            case 0xC2, 0xE2:
                out.append(byte)
            default:
                escape(UInt32(byte), into: &out)
            }
            index += consumed
            start = index
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
    }

    /// Bytes that may start something to escape: ASCII controls, `"`, `\\`, DEL, and the lead
    /// bytes of C1 controls (C2) and of U+2028/U+2029 (E2).
    @inline(__always)
    static func needsAttention(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F || byte == 0xC2 || byte == 0xE2
    }

    static func escape(_ value: UInt32, into out: inout [UInt8]) {
        let hex = String(value, radix: 16)
        out.append(contentsOf: "\\u".utf8)
        out.append(contentsOf: String(repeating: "0", count: 4 - hex.count).utf8)
        out.append(contentsOf: hex.utf8)
    }
}
