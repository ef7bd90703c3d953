import Foundation

/// Lines of a file or stdin, read in large chunks; a line that is not UTF-8 comes through with
/// replacement characters and is then refused by validation with its line number.
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    private var buffer = Data()
    private var done = false

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                return Self.decode(line)
            }
            if done {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return Self.decode(buffer)
            }
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { done = true } else { buffer.append(chunk) }
        }
    }

    static func decode(_ bytes: Data) -> String {
        var line = bytes
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(data: line, encoding: .utf8) ?? "\u{FFFD}invalid UTF-8"
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
