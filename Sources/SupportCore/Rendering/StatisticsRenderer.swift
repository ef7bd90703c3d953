import Foundation

/// `support stats` for people (bar charts drawn with block characters, tables beside them) and
/// for scripts (JSON).
public enum StatisticsRenderer {
    public static func json(_ s: Statistics) -> String {
        func counts<T>(_ pairs: [(T, Int)], _ name: (T) -> String) -> JSONValue {
            .object(pairs.map { (name($0.0), .int(Int64($0.1))) })
        }
        func durations(_ d: Statistics.Durations?) -> JSONValue {
            guard let d else { return .null }
            return .object([("count", .int(Int64(d.count))), ("medianSeconds", .int(Int64(d.median.rounded()))),
                            ("p90Seconds", .int(Int64(d.p90.rounded())))])
        }
        func rate(_ r: Double?) -> JSONValue { r.map { .fixed($0, digits: 4) } ?? .null }
        return JSONValue.object([
            ("since", s.since.map { .string(ISO8601.string($0)) } ?? .null),
            ("until", s.until.map { .string(ISO8601.string($0)) } ?? .null),
            ("total", .int(Int64(s.total))),
            ("byCategory", counts(s.byCategory, \.title)),
            ("byPriority", counts(s.byPriority, \.title)),
            ("byStatus", counts(s.byStatus, \.title)),
            ("resolved", .int(Int64(s.resolvedCount))),
            ("resolutionRate", rate(s.resolutionRate)),
            ("firstResponse", durations(s.firstResponse)),
            ("resolution", durations(s.resolution)),
            ("staff", .array(s.staff.map { f in
                .object([("email", .string(f.person.email)), ("name", .string(f.person.name)),
                         ("firstResponse", durations(f.firstResponse)), ("resolution", durations(f.resolution))])
            })),
            ("backlog", counts(s.backlog, { $0 })),
            ("mail", .object([("sent", .int(Int64(s.mail.sent))), ("pending", .int(Int64(s.mail.pending))),
                              ("failed", .int(Int64(s.mail.failed))), ("retried", .int(Int64(s.mail.retried))),
                              ("successRate", rate(s.mail.successRate))])),
        ]).serialized(pretty: true)
    }

    public static func text(_ s: Statistics, style: TerminalStyle) -> String {
        var out: [String] = []
        let period = [s.since.map { "from " + TerminalRenderer.shortDate($0) }, s.until.map { "until " + TerminalRenderer.shortDate($0) }]
            .compactMap { $0 }.joined(separator: " ")
        let n = TerminalText.count
        out.append(style.bold("\(n(s.total)) ticket\(s.total == 1 ? "" : "s")") + (period.isEmpty ? "" : " " + period))
        // What the window (or its absence) means for each section, said once for all of them.
        let window = period.isEmpty ? "all time" : "the window"
        out.append(style.dim("Volume, resolution and response times: tickets created in \(window). "
            + "Backlog: open and in-progress tickets created in \(window), by age now. Mail: messages queued in \(window)."))
        out.append("")
        out.append(chart("By category", s.byCategory.map { ($0.0.title, $0.1) }, style: style))
        out.append(chart("By priority", s.byPriority.map { ($0.0.title, $0.1) }, style: style))
        out.append(chart("By status", s.byStatus.map { ($0.0.title, $0.1) }, style: style))
        out.append(chart("Open backlog by age", s.backlog, style: style))
        if !s.volume.isEmpty { out.append(volumeChart(s, style: style)) }
        out.append(style.bold("Resolution rate") + "  " + percent(s.resolutionRate) + "  (\(n(s.resolvedCount)) of \(n(s.total)))")
        out.append(style.bold("First response") + "   " + durations(s.firstResponse))
        out.append(style.bold("Resolution") + "       " + durations(s.resolution))
        out.append("")
        if !s.staff.isEmpty {
            let rows = s.staff.map { f in
                [TerminalText.sanitize(f.person.name), f.person.email,
                 f.firstResponse.map { duration($0.median) } ?? "-", f.firstResponse.map { duration($0.p90) } ?? "-",
                 f.resolution.map { duration($0.median) } ?? "-", f.resolution.map { duration($0.p90) } ?? "-"]
            }
            out.append(TerminalRenderer(style: style).table(
                header: ["STAFF", "EMAIL", "1ST REPLY MEDIAN", "P90", "RESOLUTION MEDIAN", "P90"], rows: rows, flexibleColumn: 0))
            out.append("")
        }
        let m = s.mail
        out.append(style.bold("Mail") + "  \(n(m.sent)) sent · \(n(m.pending)) waiting · \(n(m.failed)) failed · \(n(m.retried)) retried · success \(percent(m.successRate))")
        return out.joined(separator: "\n")
    }

    static func chart(_ title: String, _ rows: [(String, Int)], style: TerminalStyle) -> String {
        let total = rows.reduce(0) { $0 + $1.1 }
        let widest = rows.map { $0.1 }.max() ?? 0
        let labelWidth = rows.map { TerminalText.width($0.0) }.max() ?? 0
        let barWidth = 30
        var lines = [style.bold(title)]
        for (label, count) in rows {
            let cells = widest == 0 ? 0.0 : Double(count) / Double(widest) * Double(barWidth)
            let share = total == 0 ? "" : String(format: "%5.1f%%", Double(count) / Double(total) * 100)
            lines.append("  " + TerminalText.pad(label, to: labelWidth) + "  " + TerminalText.pad(bar(cells), to: barWidth)
                         + "  " + String(repeating: " ", count: max(0, 9 - TerminalText.count(count).count)) + TerminalText.count(count) + "  " + share)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Tickets opened (`+`) and resolved (`x`) per day or week across the window, one line each,
    /// as Taskwarrior's `ghistory` draws them: plain characters, the bars to one scale.
    static func volumeChart(_ s: Statistics, style: TerminalStyle) -> String {
        let n = TerminalText.count
        let widest = s.volume.map { $0.opened + $0.resolved }.max() ?? 0
        let barWidth = 40
        let per = s.volumeDays == 1 ? "day" : s.volumeDays == 7 ? "week" : "\(s.volumeDays / 7) weeks"
        var lines = [style.bold("Opened (+) and resolved (x) per \(per)")]
        for v in s.volume {
            let scale = widest == 0 ? 0 : Double(barWidth) / Double(widest)
            let opened = v.opened == 0 ? 0 : max(1, Int((Double(v.opened) * scale).rounded()))
            let resolved = v.resolved == 0 ? 0 : max(1, Int((Double(v.resolved) * scale).rounded()))
            let bar = String(repeating: "+", count: opened) + String(repeating: "x", count: resolved)
            let label = String(LocalZone.current.minutes(v.start).prefix(10))
            lines.append("  \(label)  " + TerminalText.pad(bar, to: barWidth + 2) + "  \(n(v.opened)) opened, \(n(v.resolved)) resolved")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A bar of `cells` character cells, with eighth blocks for the fraction.
    static func bar(_ cells: Double) -> String {
        let eighths = Int((cells * 8).rounded())
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: eighths / 8) + partial[eighths % 8]
    }

    static func percent(_ r: Double?) -> String { r.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }

    static func durations(_ d: Statistics.Durations?) -> String {
        guard let d else { return "-" }
        return "median \(duration(d.median)), 90th percentile \(duration(d.p90)) over \(d.count) ticket\(d.count == 1 ? "" : "s")"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h \(s % 3600 / 60)m" }
        return "\(s / 86_400)d \(s % 86_400 / 3600)h"
    }
}
