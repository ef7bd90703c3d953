import Foundation
import SupportCore

/// Lines of a file or stdin, read in large chunks. Each line is scanned once: the search for a
/// newline resumes where the last one stopped (it rescanned the whole buffer after every chunk,
/// so a 50 MB line took 33 s). A line longer than `maximumBytes` is refused with its number and
/// skipped without being held; one that is not UTF-8 is refused too. A UTF-8 byte-order mark at
/// the very start of the input (what some editors write) is dropped.
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    let maximumBytes: Int
    private var buffer: [UInt8] = []
    /// Where the next line starts in `buffer`; consumed bytes are dropped only when a chunk is read.
    private var start = 0
    /// Where the search for the next newline resumes: bytes before it, from `start`, have none.
    private var scanned = 0
    private var done = false
    private var atStart = true

    /// 1 GiB: the export line of a ticket with 10,000 replies of 64 KiB (about 650 MB) fits, and
    /// memory stays bounded whatever the input. A desk with larger tickets raises it with
    /// `SUPPORT_IMPORT_MAX_LINE_BYTES` to restore its export.
    static let defaultMaximumBytes = 1 << 30

    init(handle: FileHandle, maximumBytes: Int = LineReader.configuredMaximum) {
        self.handle = handle
        self.maximumBytes = maximumBytes
    }

    /// `SUPPORT_IMPORT_MAX_LINE_BYTES`, when set to a positive number, else the default.
    static var configuredMaximum: Int {
        ProcessInfo.processInfo.environment["SUPPORT_IMPORT_MAX_LINE_BYTES"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
            ?? defaultMaximumBytes
    }

    mutating func next() -> Result<String, SupportError>? {
        while true {
            if let newline = findNewline() {
                defer { start = newline + 1; scanned = start }
                return line(buffer[start..<newline])
            }
            if buffer.count - start > maximumBytes { return skipLongLine() }
            if done {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count; scanned = start }
                return line(buffer[start...])
            }
            readChunk()
        }
    }

    private mutating func findNewline() -> Int? {
        let found = buffer.withUnsafeBufferPointer { b -> Int? in
            guard scanned < b.count, let base = b.baseAddress,
                  let hit = memchr(base + scanned, Int32(UInt8(ascii: "\n")), b.count - scanned)
            else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        if found == nil { scanned = buffer.count }
        return found
    }

    private mutating func readChunk() {
        buffer.removeFirst(start)
        scanned -= start
        start = 0
        let chunk = handle.readData(ofLength: 1 << 20)
        if chunk.isEmpty {
            done = true
            return
        }
        buffer.append(contentsOf: chunk)
    }

    private mutating func line(_ bytes: ArraySlice<UInt8>) -> Result<String, SupportError> {
        var bytes = bytes
        if atStart {
            atStart = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        guard bytes.count <= maximumBytes else { return .failure(Self.tooLong(maximumBytes)) }
        return Self.decode(bytes)
    }

    static func tooLong(_ maximum: Int) -> SupportError {
        .invalidInput(field: nil, "the line is longer than \(maximum) bytes (SUPPORT_IMPORT_MAX_LINE_BYTES)")
    }

    /// Drops the rest of a line over the limit, chunk by chunk, and refuses it.
    private mutating func skipLongLine() -> Result<String, SupportError> {
        while true {
            if let newline = findNewline() {
                start = newline + 1
                scanned = start
                break
            }
            buffer.removeAll(keepingCapacity: true)
            (start, scanned) = (0, 0)
            if done { break }
            readChunk()
            if done { break }
        }
        atStart = false
        return .failure(Self.tooLong(maximumBytes))
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> Result<String, SupportError> {
        var line = bytes
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard let text = String(validating: line, as: UTF8.self) else {
            return .failure(.invalidInput(field: nil, "the line is not valid UTF-8"))
        }
        return .success(text)
    }
}

/// Buffered stdout for streams of lines (export): one write per 64 KiB, not per line.
final class LineWriter {
    private var buffer = Data()

    func write(_ line: String) {
        append(line)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Part of a line (a ticket written reply by reply).
    func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
