import Foundation
import SupportCore

/// Where a message comes from: `--message TEXT`, `--message -` (stdin), or `$EDITOR` on a terminal.
enum MessageInput {
    static func read(_ option: String?, what: String = "message") throws -> String {
        if let option, option != "-" { return option }
        if option == "-" { return try readStandardInput(what: what) }
        guard isatty(STDIN_FILENO) == 1 else {
            throw SupportError.invalidInput(field: what, "no \(what): give --message TEXT, or --message - to read it from stdin")
        }
        // $EDITOR would run as the wrapper's user, a program of the caller's choosing.
        try PinnedMode.refuse("the editor", "give --message TEXT, or --message - to read it from stdin")
        return try edit(what: what)
    }

    /// Reads at most one byte past the limit, so a huge input is refused without being held.
    static func readStandardInput(what: String) throws -> String {
        try readCapped(FileHandle.standardInput, from: "stdin", what: what)
    }

    /// `settings set --file PATH`: read like stdin, never more than one byte past the limit (a
    /// 100 MB file was read whole before it was refused).
    static func readFile(_ path: String, what: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SupportError.notFound("cannot read \(path)") }
        defer { try? handle.close() }
        return try readCapped(handle, from: path, what: what)
    }

    private static func readCapped(_ handle: FileHandle, from source: String, what: String) throws -> String {
        let limit = Validation.messageMaxBytes * 4 + 1
        var data = Data()
        while data.count < limit {
            let chunk = handle.readData(ofLength: min(65_536, limit - data.count))
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        if data.count >= limit {
            throw SupportError.invalidInput(field: what, "\(what) in \(source) is longer than the limit of \(Validation.messageMaxBytes) bytes")
        }
        return try Validation.utf8(data, field: what)
    }

    static let editorHint = "# Write the \("message") above this line. Lines starting with # are left out; an empty message cancels."

    static func edit(what: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        let editor = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let path = NSTemporaryDirectory() + "support-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        guard FileManager.default.createFile(atPath: path, contents: Data("\n\(editorHint)\n".utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SupportError.configuration("cannot create a temporary file for the editor")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", editor + " \"$1\"", "sh", path]
        do {
            try process.run()
        } catch {
            throw SupportError.configuration("cannot start the editor '\(editor)': set EDITOR or use --message")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SupportError.invalidInput(field: what, "the editor exited with status \(process.terminationStatus); nothing was saved")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SupportError.invalidInput(field: what, "the editor left no file")
        }
        let text = try Validation.utf8(data, field: what)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("#") }.joined(separator: "\n")
    }
}
