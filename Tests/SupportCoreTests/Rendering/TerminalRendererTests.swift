import Foundation
import Testing
@testable import SupportCore

@Suite("TerminalRenderer")
struct TerminalRendererTests {
    static let jane = Person(email: "jane@example.test", name: "Jane", role: .user)
    static let sam = Person(email: "sam@example.test", name: "Sam \u{1B}]0;owned\u{7}", role: .internal)

    static func ticket(_ sequence: Int, subject: String, category: TicketCategory = .bugReport, requester: Person = jane,
                       responses: [TicketResponse] = []) -> Ticket {
        Ticket(id: Int64(sequence), ticketNumber: TicketNumber(year: 2026, sequence: sequence), subject: subject,
               message: "Body of \(sequence)\n\tindented", category: category, priority: .critical, status: .resolved,
               submittedBy: requester, assignedTo: nil, responses: responses, createdAt: fixedNow, updatedAt: fixedNow,
               resolvedAt: fixedNow)
    }

    @Test func withoutColourThereIsNoEscapeByteEvenFromStoredText() {
        // Given text that somehow holds escape sequences (e.g. written by an older version)
        let note = TicketResponse(id: 1, message: "note \u{1B}[2J", respondedBy: Self.sam, isInternal: true, createdAt: fixedNow)
        let ticket = Self.ticket(1, subject: "Evil \u{1B}[31mred\u{9B}", responses: [note])
        // When rendered without colour
        let plain = TerminalRenderer(style: .plain)
        let text = plain.ticket(ticket) + plain.page(TicketPage(tickets: [ticket], total: 1, page: 1, limit: 25))
        // Then no ESC or C1 control reaches the terminal; they are shown as U+FFFD
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 })
        #expect(text.contains("Evil \u{FFFD}[31mred\u{FFFD}"))
    }

    @Test func colourIsOnlyTheRenderersOwn() {
        let colour = TerminalRenderer(style: TerminalStyle(color: true, width: 120))
        let text = colour.ticket(Self.ticket(1, subject: "Plain subject"))
        #expect(text.contains("\u{1B}[1;32m[Resolved]\u{1B}[0m"))
        #expect(text.contains("\u{1B}[1;31m[Critical]\u{1B}[0m"))
    }

    @Test func showListsTheConversationInOrderWithInternalNotesMarked() {
        let replies = [
            TicketResponse(id: 1, message: "first reply", respondedBy: Self.jane, isInternal: false, createdAt: fixedNow),
            TicketResponse(id: 2, message: "second, internal", respondedBy: Self.sam, isInternal: true, createdAt: fixedNow),
        ]
        let text = TerminalRenderer(style: .plain).ticket(Self.ticket(3, subject: "Order", responses: replies))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "ST-2026-003  [Resolved] [Critical]  Order")
        #expect(lines.contains("Resolved:  2026-03-14 15:09 UTC"))
        #expect(lines.contains("    Body of 3"))
        #expect(lines.contains("    \tindented"))
        let first = lines.firstIndex { $0.contains("reply by Jane <jane@example.test>") }
        let second = lines.firstIndex { $0.contains("internal note by Sam") }
        #expect(first != nil && second != nil && first! < second!)
        #expect(!text.contains("No replies yet."))
        #expect(TerminalRenderer(style: .plain).ticket(Self.ticket(4, subject: "x")).hasSuffix("No replies yet."))
    }

    /// The text of `row` from one character before display column `column`, or nil when no
    /// character starts at that column.
    static func cell(of row: String, atColumn column: Int) -> Substring? {
        var used = 0
        var index = row.startIndex
        while used < column, index < row.endIndex {
            used += TerminalText.width(of: row[index])
            index = row.index(after: index)
        }
        guard used == column, index < row.endIndex, index > row.startIndex else { return nil }
        return row[row.index(before: index)...]
    }

    @Test func listIsAnAlignedTable() throws {
        // Given tickets whose columns differ in width, including wide characters in a middle column
        let tickets = [
            Self.ticket(1000, subject: "長い件名です", category: .technicalIssue,
                        requester: Person(email: "日本@b.test", name: "A", role: .user)),
            Self.ticket(2, subject: "short", category: .bugReport),
        ]
        // When rendered as a page
        let text = TerminalRenderer(style: TerminalStyle(color: false, width: 200)).page(TicketPage(tickets: tickets, total: 2, page: 1, limit: 25))
        let lines = text.split(separator: "\n").map(String.init)
        // Then every cell starts, after a blank, at the display column where its header starts
        #expect(lines.count == 4)
        let header = lines[0]
        let expected: [(String, [String])] = [
            ("STATUS", ["Resolved", "Resolved"]), ("PRIORITY", ["Critical", "Critical"]),
            ("CATEGORY", ["Technical Issue", "Bug Report"]), ("REQUESTER", ["日本@b.test", "jane@example.test"]),
            ("ASSIGNEE", ["-", "-"]), ("UPDATED", ["2026-03-14 15:09", "2026-03-14 15:09"]), ("SUBJECT", ["長い件名です", "short"]),
        ]
        for (title, values) in expected {
            let column = try #require(header.range(of: title)).lowerBound.utf16Offset(in: header)
            for (row, value) in zip(lines[1...2], values) {
                let cell = try #require(Self.cell(of: row, atColumn: column), "\(title) in: \(row)")
                // The character before the cell is a space, and the cell holds the value.
                #expect(cell.first == " " && cell.dropFirst().hasPrefix(value), "\(title) in: \(row)")
            }
        }
        #expect(lines[1].hasPrefix("ST-2026-1000  Resolved"))
        #expect(lines[2].hasPrefix("ST-2026-002   Resolved"))
        #expect(lines[3] == "Page 1 of 1 · 2 tickets")
    }

    @Test func theSubjectColumnIsCutToTheTerminalWidth() {
        let long = String(repeating: "word ", count: 60)
        let text = TerminalRenderer(style: TerminalStyle(color: false, width: 120)).page(
            TicketPage(tickets: [Self.ticket(1, subject: long)], total: 1, page: 1, limit: 25))
        for line in text.split(separator: "\n") {
            #expect(TerminalText.width(String(line)) <= 120)
        }
        #expect(text.contains("…"))
    }

    @Test func emptyPagesSaySo() {
        let plain = TerminalRenderer(style: .plain)
        #expect(plain.page(TicketPage(tickets: [], total: 0, page: 1, limit: 25)) == "No tickets.")
        #expect(plain.page(TicketPage(tickets: [], total: 30, page: 9, limit: 25)) == "No tickets on page 9 (there are 2 pages).")
    }

    @Test func terminalTextMeasuresAndCuts() {
        #expect(TerminalText.width("abc") == 3)
        #expect(TerminalText.width("日本") == 4)
        #expect(TerminalText.truncate("日本語テキスト", to: 5) == "日本…")
        #expect(TerminalText.truncate("short", to: 10) == "short")
        #expect(TerminalText.pad("日本", to: 6) == "日本  ")
        #expect(TerminalText.sanitize("a\nb\tc") == "a\u{FFFD}b\u{FFFD}c")
        #expect(TerminalText.sanitize("a\nb\tc\u{1B}", multiline: true) == "a\nb\tc\u{FFFD}")
    }

    @Test func addressesAreShortenedKeepingWhoseTheyAre() {
        // Fits: unchanged. A short domain stays whole, the local part gives way.
        #expect(TerminalText.shortenEmail("jane@example.test", to: 17) == "jane@example.test")
        #expect(TerminalText.shortenEmail("someone.with.a.long.name@example.test", to: 24) == "someone.wi…@example.test")
        // A domain too long for that: the start of the address, then the end of the domain.
        let long = TerminalText.shortenEmail("a.very.long.customer.address@subsidiary.example.test", to: 22)
        #expect(TerminalText.width(long) == 22)
        #expect(long.hasPrefix("a.very.") && long.contains("…") && long.hasSuffix("example.test"), "\(long)")
        // Every width from 1 to the address's own gives exactly that many columns or fewer.
        for columns in 1...40 {
            let cut = TerminalText.shortenEmail("日本語.user@subsidiary.example.test", to: columns)
            #expect(TerminalText.width(cut) <= columns, "\(columns): \(cut)")
        }
    }
}
