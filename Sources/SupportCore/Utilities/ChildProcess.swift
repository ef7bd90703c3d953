import CSpawn
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn with the input as stdin, a piped stderr and a deadline. Foundation's `Process`
/// costs 30-50 ms per child here (SWIFT-FACTS.md); this costs about one.
///
/// The input is given as an unlinked temporary file written in full before the child starts,
/// not through a pipe: when this process dies while the child reads (a flush killed with
/// SIGKILL), a pipe would end early and a sendmail-compatible program sends whatever it got, even
/// nothing (msmtp sends an empty message with a Message-ID of its own). A file still holds the
/// whole message. Whether the child read all of it shows in the file offset it shares with us.
enum ChildProcess {
    enum Termination: Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
        case spawnFailed(String)
    }

    struct Result {
        var termination: Termination
        /// The child read its input to the end (false when it exited without reading it all).
        var inputFullyRead: Bool
        var stderr: String

        var stderrLastLine: String {
            let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            return String((lines.last { !$0.isEmpty } ?? "").prefix(500))
        }

        /// The stderr line that says why: the last one quoting an SMTP reply (msmtp prints
        /// `msmtp: server message: 451 4.3.0 ...` and then a generic `could not send mail` line),
        /// else the last line.
        var stderrReason: String {
            let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            let reply = lines.last { $0.range(of: #"(^|[ :])[245][0-9][0-9]([ -]|$)"#, options: .regularExpression) != nil }
            return reply.map { String($0.prefix(500)) } ?? stderrLastLine
        }
    }

    static func run(_ arguments: [String], input: [UInt8], timeout: TimeInterval) -> Result {
        // Nothing here writes to a pipe any more, but a mail program's early exit must never kill us.
        signal(SIGPIPE, SIG_IGN)
        // The input file and the stderr pipe are made close-on-exec and the child spawned under
        // one lock, so that a child started by another thread (--jobs) never inherits them.
        spawnLock.lock()
        var spawnLocked = true
        defer { if spawnLocked { spawnLock.unlock() } }
        let inputFD: Int32
        switch inputFile(input) {
        case .success(let fd): inputFD = fd
        case .failure(let error): return failed(error.description)
        }
        defer { close(inputFD) }
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&errPipe) == 0 else { return failed("pipe: \(errnoText())") }
        for fd in errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inputFD, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // Nothing else of ours reaches the mail program: not every descriptor is close-on-exec
        // (NIO's sockets and epoll descriptors were not; nor is what a parent may hand us, such
        // as the socket Foundation's `Process` watches for its child's end), and a program that
        // runs on after we are killed keeps whatever it inherited. A server killed
        // mid-transaction kept its PostgreSQL session open, the year's ticket counter locked, and
        // its port bound for as long as its orphaned mail programs ran: ticket creation on every
        // other host ended in "busy" (PostgresHostsTests).
        _ = cspawn_add_close_from(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in cArguments { free(p) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, &cArguments, environ)
        close(errPipe[1])
        spawnLock.unlock()
        spawnLocked = false
        guard spawned == 0 else {
            close(errPipe[0])
            return failed("\(arguments[0]): \(String(cString: strerror(spawned)))")
        }

        let deadline = Date().addingTimeInterval(timeout)
        _ = fcntl(errPipe[0], F_SETFL, O_NONBLOCK)
        var errOpen = true
        var errBytes: [UInt8] = []
        var status: Int32 = 0
        var reaped = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        /// Reads what stderr holds now; false once it is closed (or fails).
        func drainStderr() -> Bool {
            while true {
                let n = read(errPipe[0], &buffer, buffer.count)
                if n > 0 {
                    errBytes += buffer[0..<n]
                    if errBytes.count > 16_384 { errBytes.removeFirst(errBytes.count - 16_384) }
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                return n < 0 && errno == EAGAIN
            }
        }
        while errOpen {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { break }
            var fds = [pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 1, Int32(min(remaining * 1000, 200)) + 1)
            if ready < 0 && errno != EINTR { break }
            if ready > 0 && !drainStderr() {
                close(errPipe[0]); errOpen = false
            }
            // A child that has exited while a grandchild keeps stderr open: stop waiting for it.
            if errOpen, waitpid(pid, &status, WNOHANG) == pid {
                reaped = true
                _ = drainStderr()
                close(errPipe[0]); errOpen = false
            }
        }
        if errOpen { close(errPipe[0]) }
        if !reaped {
            while true {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid { reaped = true; break }
                if r < 0 && errno != EINTR { break }
                if deadline.timeIntervalSinceNow <= 0 { break }
                usleep(1000)
            }
        }
        let stderrText = String(decoding: errBytes, as: UTF8.self)
        guard reaped else {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return Result(termination: .timedOut, inputFullyRead: false, stderr: stderrText)
        }
        // The child's stdin shares this descriptor's file offset: it shows how far the child read.
        let offset = lseek(inputFD, 0, SEEK_CUR)
        let termination: Termination = (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
        return Result(termination: termination, inputFullyRead: offset >= off_t(input.count), stderr: stderrText)
    }

    /// `input` in a temporary file that is already unlinked (nothing to clean up, whatever
    /// happens), close-on-exec, positioned at its start. Call with `spawnLock` held.
    private static func inputFile(_ input: [UInt8]) -> Swift.Result<Int32, InputFileError> {
        let directory = temporaryDirectory
        var template = Array("\(directory)/support-mail.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return .failure(InputFileError("cannot create a temporary file in \(directory): \(errnoText())")) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        var written = 0
        while written < input.count {
            let n = input.withUnsafeBytes { raw in write(fd, raw.baseAddress! + written, raw.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let text = errnoText()
                close(fd)
                return .failure(InputFileError("cannot write the message to a temporary file in \(directory): \(text)"))
            }
            written += n
        }
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            let text = errnoText()
            close(fd)
            return .failure(InputFileError("cannot rewind the temporary file: \(text)"))
        }
        return .success(fd)
    }

    private static let temporaryDirectory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"

    struct InputFileError: Error, CustomStringConvertible {
        var description: String
        init(_ text: String) { description = text }
    }

    private static let spawnLock = NSLock()

    static func failed(_ text: String) -> Result {
        Result(termination: .spawnFailed(text), inputFullyRead: false, stderr: "")
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
