/// Reads the header section of a message or MIME part out of raw bytes.
///
/// Works on index ranges into the caller's buffer so that a 50 MB body is never copied here.
enum MailHeaderSection {
    struct Result {
        var fields: [MailHeaderField]
        /// Where the body begins (after the blank line, or where a non-header line began).
        var bodyStart: Int
    }

    /// - Parameter allowEnvelope: skip a leading mbox `From ` line (Postfix's local delivery
    ///   prepends one when it pipes a message to a command).
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>, maxBytes: Int, allowEnvelope: Bool
    ) throws(InboundMailError) -> Result {
        var fields: [MailHeaderField] = []
        var index = range.lowerBound
        let end = range.upperBound
        if allowEnvelope, hasPrefix(bytes, at: index, end: end, "From ") {
            index = lineEnd(bytes, from: index, end: end).next
        }
        var current: [UInt8] = []
        var currentName: String?
        func flush() {
            if let name = currentName {
                fields.append(MailHeaderField(name: name, value: TextDecoding.headerString(current)))
            }
            currentName = nil
            current.removeAll(keepingCapacity: true)
        }
        while index < end {
            if index - range.lowerBound > maxBytes {
                throw .tooLarge("header section over \(maxBytes) bytes")
            }
            let (contentEnd, next) = lineEnd(bytes, from: index, end: end)
            if contentEnd == index {  // the blank line that ends the headers
                flush()
                return Result(fields: fields, bodyStart: next)
            }
            if next - range.lowerBound > maxBytes {
                throw .tooLarge("header section over \(maxBytes) bytes")
            }
            let first = bytes[index]
            if first == 0x20 || first == 0x09 {
                // Folding: the continuation belongs to the previous field (RFC 5322 §2.2.3).
                if currentName != nil {
                    current.append(contentsOf: bytes[index..<contentEnd])
                }
                index = next
                continue
            }
            guard let colon = fieldColon(bytes, from: index, end: contentEnd) else {
                // Not a header line: a sender that forgot the blank line. The body starts here,
                // as Python's email package also decides.
                flush()
                return Result(fields: fields, bodyStart: index)
            }
            flush()
            currentName = String(decoding: bytes[index..<colon], as: UTF8.self).trimmingBlanks()
            var valueStart = colon + 1
            while valueStart < contentEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 {
                valueStart += 1
            }
            current.append(contentsOf: bytes[valueStart..<contentEnd])
            index = next
        }
        flush()
        return Result(fields: fields, bodyStart: end)
    }

    /// The colon ending a field name, if the line starts with one: printable ASCII without
    /// blanks (a blank right before the colon is tolerated, as old mailers wrote `Subject :`).
    private static func fieldColon(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> Int? {
        var index = start
        var sawBlank = false
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") { return index == start ? nil : index }
            if byte == 0x20 || byte == 0x09 {
                sawBlank = true
            } else if sawBlank || byte < 0x21 || byte > 0x7E {
                return nil
            }
            index += 1
        }
        return nil
    }

    /// The end of the line's content (before CR LF or LF) and the start of the next line.
    static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> (contentEnd: Int, next: Int) {
        var index = start
        while index < end {
            if bytes[index] == 0x0A {
                let contentEnd = index > start && bytes[index - 1] == 0x0D ? index - 1 : index
                return (contentEnd, index + 1)
            }
            index += 1
        }
        let contentEnd = end > start && bytes[end - 1] == 0x0D ? end - 1 : end
        return (contentEnd, end)
    }

    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, end: Int, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard end - index >= count else { return false }
        let start = prefix.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            return false
        }
        return true
    }
}

extension [MailHeaderField] {
    /// The first field of that name (case-insensitive).
    func first(named name: String) -> String? {
        first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    func all(named name: String) -> [String] {
        filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }
}

