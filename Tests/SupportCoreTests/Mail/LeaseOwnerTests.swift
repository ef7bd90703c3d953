import Foundation
import Testing
@testable import SupportCore
#if canImport(Glibc)
import Glibc
#endif

/// A flush's claims are released early only when their owner can never send again.
@Suite("LeaseOwner")
struct LeaseOwnerTests {
    /// Starts `/bin/sleep seconds` without waiting for it; returns its pid and owner string.
    static func spawnSleep(_ seconds: String) throws -> (pid_t, String) {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup(seconds), nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ)
        try #require(status == 0)
        let start = try #require(LeaseOwner.startTime(of: pid))
        return (pid, "\(LeaseOwner.hostName):\(pid):\(start)")
    }

    @Test func aRunningProcessIsNotGone() throws {
        #expect(!LeaseOwner.isGone(LeaseOwner.current))
        let (pid, owner) = try Self.spawnSleep("5")
        defer { kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0) }
        #expect(!LeaseOwner.isGone(owner))
    }

    @Test func anExitedProcessIsGoneBeforeAndAfterItIsReaped() throws {
        // Given a flush-like child that exits while its parent has not reaped it yet (a zombie)
        let (pid, owner) = try Self.spawnSleep("0.05")
        var state: Substring?
        for _ in 0..<200 where state != "Z" {
            usleep(10_000)
            state = LeaseOwner.stat(of: pid)?.first
        }
        #expect(state == "Z")
        // Then its claims may be released
        #expect(LeaseOwner.isGone(owner))
        // And once reaped (no such process) too
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(LeaseOwner.isGone(owner))
    }

    @Test func anotherHostsOwnerOrAReusedPidIsJudgedRightly() {
        // Another host's process cannot be checked from here: never taken for gone
        #expect(!LeaseOwner.isGone("elsewhere.example:\(getpid()):1"))
        // This pid with another start time is another process: the owner is gone
        #expect(LeaseOwner.isGone("\(LeaseOwner.hostName):\(getpid()):1"))
        // Nonsense is left alone
        #expect(!LeaseOwner.isGone("not an owner"))
    }
}
