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

    /// The messages of a Maildir not yet ingested: those in new/, and those in cur/ without the
    /// Seen flag, in name order. The help desk pulls them with `next` and calls `markSeen` for
    /// each only after its batch committed; a run that stops (a failure, a kill) leaves the rest
    /// where they were, so the next run ingests each of them once.
    final class Maildir {
        let cur: URL
        let cap: Int
        private var pending: [URL]
        private var index = 0

        init(_ path: String, cap: Int) throws(SupportError) {
            let fm = FileManager.default
            let root = URL(fileURLWithPath: path)
            let new = root.appendingPathComponent("new")
            cur = root.appendingPathComponent("cur")
            self.cap = cap
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
                    if directory == cur, MailSource.flags(of: name).contains("S") { continue }
                    // isDirectory: false, here and below: without it URL asks the file system
                    // (a stat per name; 2 % of a Maildir run's CPU, docs/benchmarks.md).
                    pending.append(directory.appendingPathComponent(name, isDirectory: false))
                }
            }
            self.pending = pending
        }

        /// The next message: its file, its bytes (at most `cap`) and its whole size.
        func next() throws(SupportError) -> (source: URL, bytes: [UInt8], size: Int)? {
            guard index < pending.count else { return nil }
            let file = pending[index]
            index += 1
            let (bytes, size) = try MailSource.readFile(file, cap: cap)
            return (file, bytes, size)
        }

        /// Moves an ingested message to cur/ with flag S (a Maildir's "seen").
        func markSeen(_ file: URL) throws(SupportError) {
            let name = file.lastPathComponent
            let base = name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name
            let seen = String((MailSource.flags(of: name) + ["S"]).sorted())
            // rename(2) itself: FileManager's move would copy across devices, and a Maildir's
            // new/ and cur/ are one directory tree.
            let target = cur.appendingPathComponent("\(base):2,\(seen)", isDirectory: false)
            guard rename(file.path, target.path) == 0 else {
                throw SupportError.storage("cannot move \(Validation.printable(name, limit: 200)) to cur/: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// A Maildir file's unique name: its name without the `:2,…` flags, the same in new/ and cur/.
    static func uniqueName(_ file: URL) -> String? {
        let name = file.lastPathComponent
        return name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? name
    }

    /// The flags of a Maildir file name (`…:2,FS` → F, S).
    static func flags(of name: String) -> Set<Character> {
        guard let range = name.range(of: ":2,") else { return [] }
        return Set(name[range.upperBound...])
    }

    /// The messages of an mbox file (mboxrd: `>From ` lines lose one `>`), one at a time.
    /// Ingesting the same file again records each message as a duplicate, nothing more.
    final class Mbox {
        private let data: Data
        private let cap: Int
        /// Where the next line starts, and where the message being gathered started.
        private var lineStart = 0
        private var start: Int?
        private var previousBlank = true
        private var number = 0

        init(_ path: String, cap: Int) throws(SupportError) {
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            } catch {
                throw SupportError.notFound("cannot read the mbox file \(Validation.printable(path, limit: 200))")
            }
            self.cap = cap
        }

        /// The next message: its place in the file (1 for the first), bytes and whole size.
        func next() throws(SupportError) -> (source: Int, bytes: [UInt8], size: Int)? {
            let found: (from: Int, end: Int)? = data.withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                while lineStart < bytes.count {
                    var lineEnd = lineStart
                    while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                    let line = bytes[lineStart..<lineEnd]
                    let here = lineStart
                    let isStart = previousBlank && line.starts(with: Array("From ".utf8))
                    previousBlank = line.isEmpty || (line.count == 1 && line.first == 0x0D)
                    lineStart = lineEnd + 1
                    if isStart {
                        defer { start = here }
                        if let from = start { return (from, here) }
                    }
                }
                defer { start = nil }
                return start.map { ($0, bytes.count) }
            }
            guard let found else { return nil }
            number += 1
            return data.withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                var message: [UInt8] = []
                var size = 0
                var index = found.from
                // Lines after the envelope line: unescape `>From `, keep at most `cap` bytes.
                while index < found.end {
                    var next = index
                    while next < found.end && bytes[next] != 0x0A { next += 1 }
                    if next < found.end { next += 1 }
                    var line = bytes[index..<next]
                    if index != found.from, MailSource.isEscapedFrom(line) { line = line.dropFirst() }
                    size += line.count
                    if message.count < cap { message += line.prefix(cap - message.count) }
                    index = next
                }
                return (number, message, size)
            }
        }
    }

    fileprivate static func isEscapedFrom(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let gt = UInt8(ascii: ">")
        let rest = line.drop(while: { $0 == gt })
        return rest.count < line.count && rest.starts(with: Array("From ".utf8))
    }

    fileprivate static func readFile(_ url: URL, cap: Int) throws(SupportError) -> ([UInt8], Int) {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw SupportError.notFound("cannot read \(Validation.printable(url.path, limit: 200))")
        }
        defer { try? handle.close() }
        // lstat(2), as FileManager's attributesOfItem (which built a dictionary of every
        // attribute for the size alone: 3 % of a Maildir run's CPU, docs/benchmarks.md).
        var status = stat()
        let size = lstat(url.path, &status) == 0 ? Int(status.st_size) : 0
        let head = (try? handle.read(upToCount: cap)) ?? nil
        let bytes = head.map { [UInt8]($0) } ?? []
        return (bytes, max(size, bytes.count))
    }
}
