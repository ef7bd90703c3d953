/// Splits raw message bytes into a `MIMEPart` tree, bounded by `InboundMailLimits`.
///
/// Parts are ranges into the one buffer, never copies. Recursion depth is bounded by
/// `maxDepth`, so a message nested 100 000 deep costs no stack: beyond the limit a multipart is
/// left unsplit and a problem is noted.
struct MIMEParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: InboundMailLimits
    private(set) var partCount = 0
    private(set) var problems: [String] = []

    init(bytes: UnsafeBufferPointer<UInt8>, limits: InboundMailLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func parseMessage() throws(InboundMailError) -> MIMEPart {
        let section = try MailHeaderSection.read(
            bytes, in: 0..<bytes.count, maxBytes: limits.maxHeaderBytes, allowEnvelope: true)
        guard !section.fields.isEmpty else {
            throw .unparseable("no header fields")
        }
        partCount = 1
        var root = MIMEPart(headers: section.fields, body: section.bodyStart..<bytes.count, depth: 0)
        try split(&root)
        return root
    }

    /// Headers of an embedded message (message/rfc822, text/rfc822-headers), without its body tree.
    func headersOfEmbeddedMessage(_ range: Range<Int>) -> [MailHeaderField] {
        (try? MailHeaderSection.read(bytes, in: range, maxBytes: limits.maxHeaderBytes, allowEnvelope: false))?.fields ?? []
    }

    private mutating func split(_ part: inout MIMEPart) throws(InboundMailError) {
        guard part.isMultipart else { return }
        guard let boundary = part.contentType.parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 200 else {
            problems.append("\(part.mediaType) without a usable boundary: read as text")
            return
        }
        // Capped as well, so that a caller's huge limit cannot turn into a stack overflow.
        guard part.depth < min(limits.maxDepth, 256) else {
            problems.append("multipart nested deeper than \(limits.maxDepth): inner parts not read")
            part.isUnread = true
            return
        }
        let ranges = bodyRanges(of: part.body, boundary: Array(boundary.utf8))
        if ranges.isEmpty {
            problems.append("\(part.mediaType) boundary never found: read as text")
            return
        }
        for range in ranges {
            guard partCount < limits.maxParts else {
                problems.append("more than \(limits.maxParts) MIME parts: the rest not read")
                return
            }
            partCount += 1
            let section = try MailHeaderSection.read(bytes, in: range, maxBytes: limits.maxHeaderBytes, allowEnvelope: false)
            var child = MIMEPart(headers: section.fields, body: section.bodyStart..<range.upperBound, depth: part.depth + 1)
            try split(&child)
            part.children.append(child)
        }
    }

    /// The ranges between delimiter lines `--boundary` (RFC 2046 §5.1.1). The line break before
    /// a delimiter belongs to it. Lenient: blanks after the boundary are allowed, a missing
    /// close delimiter ends the last part at the end of the body, and text before the first
    /// delimiter (the preamble) is ignored.
    private func bodyRanges(of body: Range<Int>, boundary: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var partStart: Int?
        var lineStart = body.lowerBound
        while lineStart < body.upperBound {
            let (contentEnd, next) = MailHeaderSection.lineEnd(bytes, from: lineStart, end: body.upperBound)
            if let isClose = delimiter(lineStart, contentEnd, boundary) {
                if let start = partStart {
                    // The CR LF (or LF) before the delimiter line is part of the delimiter.
                    var end = lineStart
                    if end > start, bytes[end - 1] == 0x0A { end -= 1 }
                    if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                    ranges.append(start..<max(start, end))
                }
                if isClose { return ranges }
                partStart = next
            }
            lineStart = next
        }
        if let start = partStart, start < body.upperBound {
            ranges.append(start..<body.upperBound)
        }
        return ranges
    }

    /// nil when the line is no delimiter; true for the close delimiter `--boundary--`.
    private func delimiter(_ start: Int, _ end: Int, _ boundary: [UInt8]) -> Bool? {
        let length = end - start
        guard length >= boundary.count + 2, bytes[start] == 0x2D, bytes[start + 1] == 0x2D else { return nil }
        for offset in 0..<boundary.count where bytes[start + 2 + offset] != boundary[offset] {
            return nil
        }
        var index = start + 2 + boundary.count
        var isClose = false
        if index + 2 <= end, bytes[index] == 0x2D, bytes[index + 1] == 0x2D {
            isClose = true
            index += 2
        }
        while index < end {
            guard bytes[index] == 0x20 || bytes[index] == 0x09 else { return nil }
            index += 1
        }
        return isClose
    }
}
