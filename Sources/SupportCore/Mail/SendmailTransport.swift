import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a sendmail-compatible program once per message: the message on its stdin, the envelope
/// sender as `-f ADDRESS`, the recipient after `--` (never `-t`: no header can add a recipient).
/// Each run has a time limit; a program that hangs is killed with its process group.
public struct SendmailTransport: Sendable {
    public let command: [String]
    public let timeout: TimeInterval

    public init(command: [String], timeout: TimeInterval = 60) {
        self.command = command
        self.timeout = timeout
    }

    /// Parses the `sendmail_command` setting (or `--sendmail`).
    public init(commandLine: String, timeout: TimeInterval = 60) throws(SupportError) {
        self.init(command: try CommandLineWords.split(commandLine), timeout: timeout)
    }

    /// The program named first, if it can be found and run; nil when it can.
    public func configurationProblem() -> String? {
        guard let program = command.first else { return "the mail command is empty" }
        if program.contains("/") {
            return access(program, X_OK) == 0 ? nil : "the mail program \(program) is missing or not executable; set sendmail_command or use --sendmail"
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where access("\(dir)/\(program)", X_OK) == 0 { return nil }
        return "the mail program \(program) is not on PATH; set sendmail_command or use --sendmail"
    }

    public func arguments(for delivery: OutboxDelivery) -> [String] {
        command + ["-f", delivery.sender, "--", delivery.recipient]
    }

    public func deliver(_ delivery: OutboxDelivery) -> DeliveryResult {
        let run = ChildProcess.run(arguments(for: delivery), input: delivery.bytes, timeout: timeout)
        return Self.classify(run)
    }

    /// The outcome of one run, as SPEC and the measured msmtp behaviour (MAIL-TESTING.md) want it:
    /// 75, 74 and 68 mean "later"; 69 is temporary only when the server said 4xx.
    static func classify(_ run: ChildProcess.Result) -> DeliveryResult {
        let tail = run.stderrReason
        switch run.termination {
        case .spawnFailed(let error):
            return DeliveryResult(outcome: .retry, exitStatus: nil, detail: "cannot run the mail program: \(error)")
        case .timedOut:
            return DeliveryResult(outcome: .retry, exitStatus: nil, detail: "the mail program did not finish in time and was killed")
        case .signaled(let signal):
            return DeliveryResult(outcome: .retry, exitStatus: nil, detail: "the mail program was killed by signal \(signal)")
        case .exited(let code):
            let detail = tail.isEmpty ? "exit status \(code)" : "exit status \(code): \(tail)"
            if code == 0 {
                if !run.inputFullyRead {
                    return DeliveryResult(outcome: .retry, exitStatus: code, detail: "the mail program exited without reading the whole message")
                }
                return DeliveryResult(outcome: .sent, exitStatus: 0, detail: tail)
            }
            if [75, 74, 68].contains(code) {
                return DeliveryResult(outcome: .retry, exitStatus: code, detail: detail)
            }
            if code == 69, run.stderr.range(of: #"(^|[^0-9])4[0-9][0-9]([^0-9]|$)"#, options: .regularExpression) != nil {
                return DeliveryResult(outcome: .retry, exitStatus: code, detail: detail)
            }
            return DeliveryResult(outcome: .failed, exitStatus: code, detail: detail)
        }
    }
}
