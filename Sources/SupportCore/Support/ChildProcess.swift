import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn with a piped stdin and stderr and a deadline. Foundation's `Process` costs
/// 30-50 ms per child here (SWIFT-FACTS.md); this costs about one.
enum ChildProcess {
    enum Termination: Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
        case spawnFailed(String)
    }

    struct Result {
        var termination: Termination
        var inputFullyWritten: Bool
        var stderr: String

        var stderrLastLine: String {
            let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            return String((lines.last { !$0.isEmpty } ?? "").prefix(500))
        }
    }

    static func run(_ arguments: [String], input: [UInt8], timeout: TimeInterval) -> Result {
        // A child that exits without reading must not kill us with SIGPIPE: a write error it is.
        signal(SIGPIPE, SIG_IGN)
        // Pipes are made close-on-exec and the child spawned under one lock, so that a child
        // started by another thread (--jobs) never inherits this child's pipe ends.
        spawnLock.lock()
        var spawnLocked = true
        defer { if spawnLocked { spawnLock.unlock() } }
        var inPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&inPipe) == 0 else { return failed("pipe: \(errnoText())") }
        guard pipe(&errPipe) == 0 else {
            close(inPipe[0]); close(inPipe[1])
            return failed("pipe: \(errnoText())")
        }
        for fd in inPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

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
        close(inPipe[0]); close(errPipe[1])
        spawnLock.unlock()
        spawnLocked = false
        guard spawned == 0 else {
            close(inPipe[1]); close(errPipe[0])
            return failed("\(arguments[0]): \(String(cString: strerror(spawned)))")
        }

        let deadline = Date().addingTimeInterval(timeout)
        _ = fcntl(inPipe[1], F_SETFL, O_NONBLOCK)
        _ = fcntl(errPipe[0], F_SETFL, O_NONBLOCK)
        var written = 0
        var inOpen = true, errOpen = true, writeFailed = false
        var errBytes: [UInt8] = []
        var status: Int32 = 0
        var reaped = false
        if input.isEmpty { close(inPipe[1]); inOpen = false }
        var buffer = [UInt8](repeating: 0, count: 8192)
        while inOpen || errOpen {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { break }
            var fds: [pollfd] = []
            if inOpen { fds.append(pollfd(fd: inPipe[1], events: Int16(POLLOUT), revents: 0)) }
            if errOpen { fds.append(pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000, 200)) + 1)
            if ready < 0 && errno != EINTR { break }
            for fd in fds where fd.revents != 0 {
                if inOpen && fd.fd == inPipe[1] {
                    let n = input.withUnsafeBytes { raw in
                        write(inPipe[1], raw.baseAddress! + written, min(raw.count - written, 65_536))
                    }
                    if n > 0 {
                        written += n
                        if written == input.count { close(inPipe[1]); inOpen = false }
                    } else if n < 0 && errno != EAGAIN && errno != EINTR {
                        writeFailed = true
                        close(inPipe[1]); inOpen = false
                    }
                } else if errOpen && fd.fd == errPipe[0] {
                    let n = read(errPipe[0], &buffer, buffer.count)
                    if n > 0 {
                        errBytes += buffer[0..<n]
                        if errBytes.count > 16_384 { errBytes.removeFirst(errBytes.count - 16_384) }
                    } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                        close(errPipe[0]); errOpen = false
                    }
                }
            }
            // A child that has exited while a grandchild keeps stderr open: stop waiting for it.
            if !inOpen, errOpen, waitpid(pid, &status, WNOHANG) == pid {
                reaped = true
                close(errPipe[0]); errOpen = false
            }
        }
        if inOpen { close(inPipe[1]) }
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
            return Result(termination: .timedOut, inputFullyWritten: false, stderr: stderrText)
        }
        let termination: Termination = (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
        return Result(termination: termination, inputFullyWritten: !writeFailed && written == input.count, stderr: stderrText)
    }

    private static let spawnLock = NSLock()

    static func failed(_ text: String) -> Result {
        Result(termination: .spawnFailed(text), inputFullyWritten: false, stderr: "")
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
