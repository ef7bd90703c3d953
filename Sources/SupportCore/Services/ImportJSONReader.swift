/// Reads one NDJSON line of `ticket import` into an `ImportedTicket` straight from its UTF-8
/// bytes. `JSONDecoder` took most of the time of an import's parsing thread (a generic tree of
/// values, then a keyed container per object); this reader knows the one shape it reads.
///
/// It gives what `JSONDecoder` gave: unknown keys are skipped (but must be valid JSON), `null`
/// stands for an absent optional field, and the first problem in the order the fields are
/// declared is reported as before: "missing KEY", or "PATH has the wrong type" with a path such
/// as `responses.Index 0.respondedBy.email`. Anything that is not JSON, or not an object, is
/// "not a JSON object".
struct ImportJSONReader {
    /// JSON that cannot be read at all.
    struct Malformed: Error {}

    /// One field as read: its value, or why it has none.
    enum Slot<Value> {
        case absent
        case null
        case wrongType
        /// A nested object or array with a problem of its own (the first one, in field order).
        case problem(SupportError)
        case value(Value)
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0
    /// Nesting of skipped values is bounded, so that a hostile line cannot exhaust the stack.
    private static let maximumDepth = 512

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func ticket(_ text: String) throws(SupportError) -> ImportedTicket {
        var text = text
        let result = text.withUTF8 { buffer -> Result<ImportedTicket, SupportError> in
            var reader = ImportJSONReader(buffer)
            do {
                reader.skipWhitespace()
                guard reader.peek() == UInt8(ascii: "{") else { throw Malformed() }
                let slot = try reader.readTicket()
                reader.skipWhitespace()
                guard reader.at == buffer.count else { throw Malformed() }
                return .success(try slot.get())
            } catch let error as SupportError {
                return .failure(error)
            } catch {
                return .failure(.invalidInput(field: nil, "not a JSON object"))
            }
        }
        return try result.get()
    }

    // MARK: The shape

    /// The fields of a ticket line, checked in the order `ImportedTicket` declares them.
    private struct TicketSlots {
        var ticketNumber = Slot<String>.absent, subject = Slot<String>.absent, message = Slot<String>.absent
        var category = Slot<String>.absent, priority = Slot<String>.absent, status = Slot<String>.absent
        var submittedBy = Slot<ImportedTicket.PersonJSON>.absent, assignedTo = Slot<ImportedTicket.PersonJSON>.absent
        var responses = Slot<[ImportedTicket.ResponseJSON]>.absent, attachments = Slot<[ImportedTicket.AttachmentJSON]>.absent
        var createdAt = Slot<String>.absent, updatedAt = Slot<String>.absent
        var resolvedAt = Slot<String>.absent, closedAt = Slot<String>.absent

        func get() throws(SupportError) -> ImportedTicket {
            ImportedTicket(
                ticketNumber: try optional(ticketNumber, "ticketNumber"),
                subject: try required(subject, "subject", "subject"),
                message: try required(message, "message", "message"),
                category: try required(category, "category", "category"),
                priority: try optional(priority, "priority"),
                status: try optional(status, "status"),
                submittedBy: try required(submittedBy, "submittedBy", "submittedBy"),
                assignedTo: try optional(assignedTo, "assignedTo"),
                responses: try optional(responses, "responses"),
                attachments: try optional(attachments, "attachments"),
                createdAt: try optional(createdAt, "createdAt"),
                updatedAt: try optional(updatedAt, "updatedAt"),
                resolvedAt: try optional(resolvedAt, "resolvedAt"),
                closedAt: try optional(closedAt, "closedAt"))
        }
    }

    private mutating func readTicket() throws -> TicketSlots {
        var slots = TicketSlots()
        try readObject { reader, key in
            switch key {
            case "ticketNumber": slots.ticketNumber = try reader.readString()
            case "subject": slots.subject = try reader.readString()
            case "message": slots.message = try reader.readString()
            case "category": slots.category = try reader.readString()
            case "priority": slots.priority = try reader.readString()
            case "status": slots.status = try reader.readString()
            case "submittedBy": slots.submittedBy = try reader.readPerson(path: "submittedBy")
            case "assignedTo": slots.assignedTo = try reader.readPerson(path: "assignedTo")
            case "responses": slots.responses = try reader.readResponses()
            case "attachments": slots.attachments = try reader.readAttachments()
            case "createdAt": slots.createdAt = try reader.readString()
            case "updatedAt": slots.updatedAt = try reader.readString()
            case "resolvedAt": slots.resolvedAt = try reader.readString()
            case "closedAt": slots.closedAt = try reader.readString()
            default: try reader.skipValue(depth: 1)
            }
        }
        return slots
    }

    private mutating func readPerson(path: String) throws -> Slot<ImportedTicket.PersonJSON> {
        guard peek() == UInt8(ascii: "{") else { return try readNonValue() }
        var email = Slot<String>.absent, name = Slot<String>.absent, role = Slot<String>.absent
        try readObject { reader, key in
            switch key {
            case "email": email = try reader.readString()
            case "name": name = try reader.readString()
            case "role": role = try reader.readString()
            default: try reader.skipValue(depth: 2)
            }
        }
        do throws(SupportError) {
            return .value(ImportedTicket.PersonJSON(
                email: try required(email, "email", path + ".email"),
                name: try optional(name, path + ".name"),
                role: try optional(role, path + ".role")))
        } catch {
            return .problem(error)
        }
    }

    private mutating func readResponses() throws -> Slot<[ImportedTicket.ResponseJSON]> {
        guard peek() == UInt8(ascii: "[") else { return try readNonValue() }
        var responses: [ImportedTicket.ResponseJSON] = []
        var firstProblem: SupportError?
        try readArray { reader, index in
            let path = "responses.Index \(index)"
            func note(_ problem: SupportError) { if firstProblem == nil { firstProblem = problem } }
            guard reader.peek() == UInt8(ascii: "{") else {
                // null is as wrong as any other non-object here: the element is not optional.
                _ = try reader.readNonValue() as Slot<Bool>
                note(.invalidInput(field: path, "\(path) has the wrong type"))
                return
            }
            var id = Slot<Int64>.absent, message = Slot<String>.absent, respondedBy = Slot<ImportedTicket.PersonJSON>.absent
            var isInternal = Slot<Bool>.absent, createdAt = Slot<String>.absent
            try reader.readObject { reader, key in
                switch key {
                case "id": id = try reader.readInteger()
                case "message": message = try reader.readString()
                case "respondedBy": respondedBy = try reader.readPerson(path: path + ".respondedBy")
                case "isInternal": isInternal = try reader.readBool()
                case "createdAt": createdAt = try reader.readString()
                default: try reader.skipValue(depth: 3)
                }
            }
            do throws(SupportError) {
                responses.append(ImportedTicket.ResponseJSON(
                    id: try optional(id, path + ".id"),
                    message: try required(message, "message", path + ".message"),
                    respondedBy: try required(respondedBy, "respondedBy", path + ".respondedBy"),
                    isInternal: try optional(isInternal, path + ".isInternal"),
                    createdAt: try optional(createdAt, path + ".createdAt")))
            } catch {
                note(error)
            }
        }
        return firstProblem.map { .problem($0) } ?? .value(responses)
    }

    private mutating func readAttachments() throws -> Slot<[ImportedTicket.AttachmentJSON]> {
        guard peek() == UInt8(ascii: "[") else { return try readNonValue() }
        var files: [ImportedTicket.AttachmentJSON] = []
        var firstProblem: SupportError?
        try readArray { reader, index in
            let path = "attachments.Index \(index)"
            func note(_ problem: SupportError) { if firstProblem == nil { firstProblem = problem } }
            guard reader.peek() == UInt8(ascii: "{") else {
                _ = try reader.readNonValue() as Slot<Bool>
                note(.invalidInput(field: path, "\(path) has the wrong type"))
                return
            }
            var fileName = Slot<String>.absent, contentType = Slot<String>.absent, sha256 = Slot<String>.absent
            var responseId = Slot<Int64>.absent, createdAt = Slot<String>.absent, content = Slot<String>.absent
            try reader.readObject { reader, key in
                switch key {
                case "fileName": fileName = try reader.readString()
                case "contentType": contentType = try reader.readString()
                case "sha256": sha256 = try reader.readString()
                case "responseId": responseId = try reader.readInteger()
                case "createdAt": createdAt = try reader.readString()
                case "content": content = try reader.readString()
                default: try reader.skipValue(depth: 3)
                }
            }
            do throws(SupportError) {
                files.append(ImportedTicket.AttachmentJSON(
                    fileName: try required(fileName, "fileName", path + ".fileName"),
                    contentType: try required(contentType, "contentType", path + ".contentType"),
                    sha256: try required(sha256, "sha256", path + ".sha256"),
                    responseId: try optional(responseId, path + ".responseId"),
                    createdAt: try optional(createdAt, path + ".createdAt"),
                    content: try required(content, "content", path + ".content")))
            } catch {
                note(error)
            }
        }
        return firstProblem.map { .problem($0) } ?? .value(files)
    }

    // MARK: Values

    private mutating func readString() throws -> Slot<String> {
        guard peek() == UInt8(ascii: "\"") else { return try readNonValue() }
        return .value(try string())
    }

    private mutating func readBool() throws -> Slot<Bool> {
        switch peek() {
        case UInt8(ascii: "t"): try literal("true"); return .value(true)
        case UInt8(ascii: "f"): try literal("false"); return .value(false)
        default: return try readNonValue()
        }
    }

    private mutating func readInteger() throws -> Slot<Int64> {
        guard let first = peek(), first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return try readNonValue()
        }
        let start = at
        try skipNumber()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        return Int64(text).map { .value($0) } ?? .wrongType
    }

    /// A value that is not of the expected kind: `null`, or anything else (skipped, and wrong).
    private mutating func readNonValue<Value>() throws -> Slot<Value> {
        if peek() == UInt8(ascii: "n") {
            try literal("null")
            return .null
        }
        try skipValue(depth: 1)
        return .wrongType
    }

    // MARK: Structure

    /// Reads `{ "key": value, ... }`, handing each key to `field`, which must read its value.
    private mutating func readObject(_ field: (inout ImportJSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { at += 1; return }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw Malformed() }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try field(&self, key)
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw Malformed()
            }
        }
    }

    /// Reads `[ value, ... ]`, handing each index to `element`, which must read its value.
    private mutating func readArray(_ element: (inout ImportJSONReader, Int) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { at += 1; return }
        var index = 0
        while true {
            skipWhitespace()
            try element(&self, index)
            index += 1
            skipWhitespace()
            switch next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw Malformed()
            }
        }
    }

    private mutating func skipValue(depth: Int) throws {
        guard depth <= Self.maximumDepth else { throw Malformed() }
        switch peek() {
        case UInt8(ascii: "{"): try readObject { reader, _ in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try readArray { reader, _ in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func skipNumber() throws {
        func digits(_ reader: inout ImportJSONReader) -> Int {
            let start = reader.at
            while let b = reader.peek(), b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { reader.at += 1 }
            return reader.at - start
        }
        if peek() == UInt8(ascii: "-") { at += 1 }
        if peek() == UInt8(ascii: "0") {
            at += 1
        } else {
            guard digits(&self) > 0 else { throw Malformed() }
        }
        if peek() == UInt8(ascii: ".") {
            at += 1
            guard digits(&self) > 0 else { throw Malformed() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            at += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { at += 1 }
            guard digits(&self) > 0 else { throw Malformed() }
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { throw Malformed() }
        for i in 0..<count where bytes[at + i] != word.utf8Start[i] { throw Malformed() }
        at += count
    }

    /// A string whose opening quote is at `at`, with every JSON escape, including surrogate
    /// pairs; a raw control character or a lone surrogate is malformed, as in JSONDecoder.
    private mutating func string() throws -> String {
        at += 1
        let start = at
        // Most strings have no escape: one scan, one copy.
        while at < bytes.count {
            let b = bytes[at]
            if b == UInt8(ascii: "\"") {
                defer { at += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw Malformed() }
            at += 1
        }
        var out = Array(bytes[start..<at])
        while true {
            guard let b = next() else { throw Malformed() }
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escaped = next() else { throw Malformed() }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard next() == UInt8(ascii: "\\"), next() == UInt8(ascii: "u") else { throw Malformed() }
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw Malformed() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw Malformed()
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw Malformed() }
                    out.append(contentsOf: UTF8.encode(unicode)!)
                default:
                    throw Malformed()
                }
            default:
                if b < 0x20 { throw Malformed() }
                out.append(b)
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let b = next() else { throw Malformed() }
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw Malformed()
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    // MARK: Bytes

    private func peek() -> UInt8? { at < bytes.count ? bytes[at] : nil }

    private mutating func next() -> UInt8? {
        guard at < bytes.count else { return nil }
        defer { at += 1 }
        return bytes[at]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard next() == byte else { throw Malformed() }
    }

    private mutating func skipWhitespace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }
}

private func required<Value>(_ slot: ImportJSONReader.Slot<Value>, _ key: String, _ path: String) throws(SupportError) -> Value {
    switch slot {
    case .value(let value): return value
    case .absent: throw .invalidInput(field: key, "missing \(key)")
    case .null, .wrongType: throw .invalidInput(field: path, "\(path) has the wrong type")
    case .problem(let error): throw error
    }
}

private func optional<Value>(_ slot: ImportJSONReader.Slot<Value>, _ path: String) throws(SupportError) -> Value? {
    switch slot {
    case .value(let value): return value
    case .absent, .null: return nil
    case .wrongType: throw .invalidInput(field: path, "\(path) has the wrong type")
    case .problem(let error): throw error
    }
}
