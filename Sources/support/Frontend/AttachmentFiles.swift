import Foundation
import SupportCore

/// Files in and out of the desk for `--attach` and `attachment get`: the file-system side the
/// core does not touch.
enum AttachmentFiles {
    /// Reads each `--attach` path, refusing a file over the per-file limit before reading it (a
    /// mistaken 5 GB path costs a stat, not memory). The core checks the limits again.
    static func read(_ paths: [String], desk: HelpDesk) throws -> [AttachmentUpload] {
        guard !paths.isEmpty else { return [] }
        let limits = try desk.attachmentLimits()
        return try paths.map { path in
            let shown = Validation.printable(path, limit: 200)
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw SupportError.notFound("cannot read --attach \(shown): \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw SupportError.invalidInput(field: "attach", "--attach \(shown) is not a regular file")
            }
            let size = Int(info.st_size)
            guard size <= limits.perFile else {
                throw SupportError.invalidInput(field: "attach", "--attach \(shown) is \(size) bytes; attachment_max_bytes allows \(limits.perFile)")
            }
            var data = [UInt8](repeating: 0, count: size)
            var done = 0
            while done < size {
                let count = data.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + done, size - done) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    throw SupportError.invalidInput(field: "attach", "--attach \(shown) changed while it was read")
                }
                done += count
            }
            let name = URL(fileURLWithPath: path).lastPathComponent
            return AttachmentUpload(fileName: name, contentType: AttachmentUpload.mediaType(forFileName: name), data: data)
        }
    }

    /// Writes the attachment to `path` through a temporary file in the same directory, made with
    /// O_EXCL|O_NOFOLLOW and then linked (or, with `force`, renamed) into place: nothing is ever
    /// written through a symlink an attacker left at `path`, an existing file is kept unless
    /// `force`, and a failure leaves no half-written file behind.
    static func save(id: Int64, desk: HelpDesk, to path: String, force: Bool) throws {
        let shown = Validation.printable(path, limit: 200)
        let target = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SupportError.invalidInput(field: "output", "--output \(shown) is a directory")
        }
        if !force, (try? FileManager.default.attributesOfItem(atPath: path)) != nil {
            throw SupportError.invalidInput(field: "output", "--output \(shown) exists; give --force to replace it")
        }
        // Checked before any file is made: "no such attachment" leaves the directory as it was.
        _ = try desk.attachment(id: id)
        let directory = target.deletingLastPathComponent().path
        let temporary = directory + "/.support-attachment-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).part"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw SupportError.invalidInput(field: "output", "cannot write in \(Validation.printable(directory, limit: 200)): \(String(cString: strerror(errno)))")
        }
        var placed = false
        defer {
            if !placed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            try desk.readAttachment(id: id) { piece in try writeAll(fd, piece, what: shown) }
            guard fsync(fd) == 0 else { throw SupportError.storage("cannot write \(shown): \(String(cString: strerror(errno)))") }
        }
        if force {
            guard rename(temporary, path) == 0 else {
                throw SupportError.invalidInput(field: "output", "cannot write \(shown): \(String(cString: strerror(errno)))")
            }
        } else {
            // link() fails when the name exists (even as a dangling symlink): never replaces.
            guard link(temporary, path) == 0 else {
                let why = errno == EEXIST ? "it exists; give --force to replace it" : String(cString: strerror(errno))
                throw SupportError.invalidInput(field: "output", "cannot write \(shown): \(why)")
            }
            unlink(temporary)
        }
        placed = true
    }

    /// Streams the attachment to stdout; binary content is refused on a terminal (it can leave
    /// the terminal in a state the user cannot read), as curl does.
    static func print(id: Int64, desk: HelpDesk) throws {
        let (attachment, _) = try desk.attachment(id: id)
        if isatty(STDOUT_FILENO) == 1, !attachment.contentType.hasPrefix("text/") {
            throw SupportError.invalidInput(
                field: "output", "attachment \(id) is \(attachment.contentType), not text: give --output FILE or redirect stdout")
        }
        try desk.readAttachment(id: id) { piece in try writeAll(STDOUT_FILENO, piece, what: "stdout") }
    }

    private static func writeAll(_ fd: Int32, _ piece: UnsafeRawBufferPointer, what: String) throws {
        var offset = 0
        while offset < piece.count {
            let count = write(fd, piece.baseAddress! + offset, piece.count - offset)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw SupportError.storage("cannot write \(what): \(String(cString: strerror(errno)))")
            }
            offset += count
        }
    }
}
