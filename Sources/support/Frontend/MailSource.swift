import Foundation
import SupportCore

/// Where `mail ingest` reads messages from: stdin (an MTA's pipe), a Maildir or an mbox file.
/// Each message is read whole (up to the cap) before anything is parsed or written; stdin is
/// spooled to a file first.
enum MailSource {
    /// All of stdin; past `cap` bytes the rest is read and counted but not kept, so an MTA's
    /// pipe is always drained and the record can say how large the message was.
    ///
    /// The message is spooled to an unlinked temporary file first (issue 12: "spool the message
    /// before parsing it"), then read into one buffer of exactly its kept size: an array grown
    /// as the pipe delivers held up to three times the message while it was reallocated.
    static func readStandardInput(cap: Int) throws -> (bytes: [UInt8], size: Int) {
        var template = Array((NSTemporaryDirectory() + "/support-mail-XXXXXX").utf8CString)
        let spool = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard spool >= 0 else {
            // The MTA keeps the message and tries again (75), as for a full disk.
            throw SupportError.storage("cannot spool the message: \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        defer { close(spool) }
        var kept = 0
        var size = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SupportError.invalidInput(field: "stdin", "cannot read the message from stdin: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            var written = 0
            let keep = min(count, cap - kept)
            while written < keep {
                let n = chunk.withUnsafeBytes { write(spool, $0.baseAddress! + written, keep - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SupportError.storage("cannot spool the message: \(String(cString: strerror(errno)))")
                }
                written += n
            }
            kept += keep
            size += count
        }
        let bytes = try [UInt8](unsafeUninitializedCapacity: kept) { buffer, initialized in
            while initialized < kept {
                let n = pread(spool, buffer.baseAddress! + initialized, kept - initialized, off_t(initialized))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SupportError.storage("cannot read the spooled message back: \(String(cString: strerror(errno)))") }
                initialized += n
            }
        }
        return (bytes, size)
    }

    /// Every message of a Maildir not yet ingested: those in new/, and those in cur/ without the
    /// Seen flag. Each is moved to cur/ with flag S only after `body` returns, that is after its
    /// transaction committed; a failure stops the run with the rest left where they were.
    static func eachMaildirMessage(_ path: String, cap: Int, _ body: ([UInt8], Int) throws -> Void) throws {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: path)
        let new = root.appendingPathComponent("new"), cur = root.appendingPathComponent("cur")
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: new.path, isDirectory: &isDirectory), isDirectory.boolValue,
              fm.fileExists(atPath: cur.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw SupportError.notFound("no Maildir at \(Validation.printable(path, limit: 200)) (it needs new/ and cur/)")
        }
        var pending: [URL] = []
        for directory in [new, cur] {
            let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                if directory == cur, flags(of: name).contains("S") { continue }
                pending.append(directory.appendingPathComponent(name))
            }
        }
        for file in pending {
            let (bytes, size) = try readFile(file, cap: cap)
            try body(bytes, size)
            let name = file.lastPathComponent
            let base = name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name
            let seen = String((flags(of: name) + ["S"]).sorted())
            try fm.moveItem(at: file, to: cur.appendingPathComponent("\(base):2,\(seen)"))
        }
    }

    /// The flags of a Maildir file name (`…:2,FS` → F, S).
    static func flags(of name: String) -> Set<Character> {
        guard let range = name.range(of: ":2,") else { return [] }
        return Set(name[range.upperBound...])
    }

    /// Every message of an mbox file (mboxrd: `>From ` lines lose one `>`). Ingesting the same
    /// file again records each message as a duplicate, nothing more.
    static func eachMboxMessage(_ path: String, cap: Int, _ body: ([UInt8], Int) throws -> Void) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw SupportError.notFound("cannot read the mbox file \(Validation.printable(path, limit: 200))")
        }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start: Int?
            var lineStart = 0
            var previousBlank = true
            func emit(_ end: Int) throws {
                guard let from = start else { return }
                var message: [UInt8] = []
                var size = 0
                var index = from
                // Lines after the envelope line: unescape `>From `, keep at most `cap` bytes.
                while index < end {
                    var next = index
                    while next < end && bytes[next] != 0x0A { next += 1 }
                    if next < end { next += 1 }
                    var line = bytes[index..<next]
                    if index != from, isEscapedFrom(line) { line = line.dropFirst() }
                    size += line.count
                    if message.count < cap { message += line.prefix(cap - message.count) }
                    index = next
                }
                try body(message, size)
            }
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                let line = bytes[lineStart..<lineEnd]
                if previousBlank, line.starts(with: Array("From ".utf8)) {
                    try emit(lineStart)
                    start = lineStart
                }
                previousBlank = line.isEmpty || (line.count == 1 && line.first == 0x0D)
                lineStart = lineEnd + 1
            }
            try emit(bytes.count)
        }
    }

    private static func isEscapedFrom(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let gt = UInt8(ascii: ">")
        let rest = line.drop(while: { $0 == gt })
        return rest.count < line.count && rest.starts(with: Array("From ".utf8))
    }

    private static func readFile(_ url: URL, cap: Int) throws -> ([UInt8], Int) {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw SupportError.notFound("cannot read \(Validation.printable(url.path, limit: 200))")
        }
        defer { try? handle.close() }
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        let head = (try? handle.read(upToCount: cap)) ?? nil
        let bytes = head.map { [UInt8]($0) } ?? []
        return (bytes, max(size, bytes.count))
    }
}
