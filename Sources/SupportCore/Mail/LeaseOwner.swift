import Foundation

/// Names the process holding a lease on outbox messages (`host:pid:start`), so that the next
/// flush can tell a lease whose process was killed from one whose process is still sending.
public enum LeaseOwner {
    public static var current: String {
        "\(hostName):\(getpid()):\(startTime(of: getpid()) ?? "?")"
    }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        let name = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: name, as: UTF8.self).replacingOccurrences(of: ":", with: "_")
    }

    /// Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. A pid that
    /// was reused by another process has another start time.
    static func startTime(of pid: pid_t) -> String? {
        stat(of: pid).flatMap { $0.count > 19 ? String($0[19]) : nil }
    }

    /// The fields of /proc/PID/stat after the command name (field 3, the state, first).
    static func stat(of pid: pid_t) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// True when `owner` is a process on this host that is still running: its leases are never
    /// taken over, however late its renewals.
    public static func isAliveHere(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":").map(String.init)
        guard parts.count == 3, parts[0] == hostName, pid_t(parts[1]) != nil else { return false }
        return !isGone(owner)
    }

    /// True when `owner` ran on this host and that process is gone: no such process, another
    /// process under the same pid, or one that has exited and not yet been reaped by its parent
    /// (a zombie, state Z or X, holds its pid but will never send again).
    public static func isGone(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":").map(String.init)
        guard parts.count == 3, parts[0] == hostName, let pid = pid_t(parts[1]) else { return false }
        guard let fields = stat(of: pid), fields.count > 19 else { return true }
        return fields[19] != parts[2] || fields[0] == "Z" || fields[0] == "X"
    }
}
