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
        return String(cString: buffer).replacingOccurrences(of: ":", with: "_")
    }

    /// Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. A pid that
    /// was reused by another process has another start time.
    static func startTime(of pid: pid_t) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }

    /// True when `owner` ran on this host and that process is gone.
    public static func isGone(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":").map(String.init)
        guard parts.count == 3, parts[0] == hostName, let pid = pid_t(parts[1]) else { return false }
        guard let start = startTime(of: pid) else { return true }
        return start != parts[2]
    }
}
