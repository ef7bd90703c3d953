import Foundation

/// Lines of a file or stdin, read in large chunks; a line that is not UTF-8 comes through with
/// replacement characters and is then refused by validation with its line number.
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    /// Where the next line starts in `buffer`; consumed bytes are dropped only when a chunk is read.
    private var start = 0
    private var done = false

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { start = newline + 1 }
                return Self.decode(buffer[start..<newline])
            }
            if done {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return Self.decode(buffer[start...])
            }
            buffer.removeFirst(start)
            start = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { done = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var line = bytes
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(validating: line, as: UTF8.self) ?? "\u{FFFD}invalid UTF-8"
    }
}

/// Buffered stdout for streams of lines (export): one write per 64 KiB, not per line.
final class LineWriter {
    private var buffer = Data()

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
