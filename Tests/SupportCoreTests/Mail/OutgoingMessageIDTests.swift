import Foundation
import GRDB
import Testing
@testable import SupportCore

@Suite("Outgoing mail: signed ids, X-Loop, threading table")
struct OutgoingMessageIDTests {
    @Test func everyOutgoingIDIsSignedForItsRecipientAndRemembered() throws {
        // Given a desk with an address and a ticket with a staff reply (two messages)
        let fixture = try DeskFixture()
        _ = try fixture.operatorDesk.setSetting(.supportEmail, to: "help@desk.test")
        let ticket = try fixture.openTicket(by: fixture.requester)
        _ = try fixture.desk(fixture.staff).respond(to: ticket.ticketNumber, message: "On it.", isInternal: false)

        // When the outbox and the desk's key are read
        let messages = try fixture.database.outbox(status: nil)
        let signer = try fixture.database.writer.write { db in try AppDatabase.messageIDSigner(db) }
        let remembered = try fixture.database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT messageID, ticketNumber, direction, address FROM ticket_message")
        }

        // Then each id verifies for the address it went to, and for no other
        #expect(messages.count == 2)
        for message in messages {
            #expect(signer.verify(message.messageID, recipient: message.recipient) == ticket.ticketNumber, "\(message.messageID)")
            #expect(signer.verify(message.messageID, recipient: "omar@example.test") == nil)
        }
        // And each is remembered for threading, with its recipient
        #expect(Set(remembered.map { $0[0] as String }) == Set(messages.map(\.messageID)))
        #expect(remembered.allSatisfy { $0[1] == ticket.ticketNumber.description && $0[2] == "out" })
    }

    @Test func theKeyIsMadeOnceAndNeverShownAsASetting() throws {
        // Given a fresh desk
        let fixture = try DeskFixture()
        // When the key is asked for twice
        let first = try fixture.database.writer.write { db in try AppDatabase.messageIDSigner(db) }
        let second = try fixture.database.writer.write { db in try AppDatabase.messageIDSigner(db) }
        // Then it is the same 32 random bytes, and `settings get` does not list it
        #expect(first.key == second.key && first.key.count == 32 && Set(first.key).count > 8)
        let settings = try fixture.operatorDesk.settings()
        #expect(!settings.values.contains(SHA256.hex(first.key)))
        // And it is no setting row at all (every setting row has its audit record)
        #expect(try fixture.database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM setting") } == 0)
    }

    @Test func outgoingMailCarriesXLoopAndAutoSubmittedWhereAutomatic() throws {
        // Given a desk with auto-responses on
        let fixture = try DeskFixture()
        _ = try fixture.operatorDesk.setSetting(.supportEmail, to: "help@desk.test")
        _ = try fixture.operatorDesk.setSetting(.supportAutoResponse, to: "true")
        // When a requester opens a ticket (new-ticket notice + auto-response)
        let ticket = try fixture.openTicket(by: fixture.requester)
        let mails = try fixture.database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, message FROM outbox ORDER BY id").map { row in
                (row[0] as String, String(decoding: row[1] as Data, as: UTF8.self))
            }
        }
        // Then both carry X-Loop with the desk's address; the auto-response says auto-replied
        #expect(mails.count == 2)
        for (_, text) in mails { #expect(text.contains("\nX-Loop: help@desk.test\n")) }
        let auto = try #require(mails.first { $0.0 == "auto-response" })
        #expect(auto.1.contains("\nAuto-Submitted: auto-replied\n"))
        #expect(ticket.ticketNumber.description == "ST-2026-001")
    }

    @Test func xLoopCannotCarryAnotherHeader() {
        // Given a loop address with a line break and a header after it
        let message = MailMessage(from: MailAddress(email: "help@desk.test"), to: [MailAddress(email: "jane@example.test")],
                                  subject: "s", body: "b", messageID: "id@desk.test", date: fixedNow,
                                  loop: "help@desk.test\r\nBcc: x@evil.test")
        // When it is composed
        let lines = String(decoding: MessageComposer.compose(message), as: UTF8.self).split(separator: "\n")
        // Then X-Loop is one line and no Bcc header exists
        #expect(lines.filter { $0.hasPrefix("X-Loop:") } == ["X-Loop: help@desk.testBccx@evil.test"])
        #expect(!lines.contains { $0.hasPrefix("Bcc") })
    }
}
