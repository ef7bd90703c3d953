import Foundation
import Testing
@testable import SupportCore

@Suite("Signed Message-IDs")
struct MessageIDSignerTests {
    let signer = MessageIDSigner(key: Array(repeating: 7, count: 32))
    let ticket = TicketNumber(year: 2026, sequence: 12)

    @Test func anIDVerifiesForItsTicketAndRecipientOnly() throws {
        // Given an id signed for jane about ST-2026-012
        let id = signer.messageID(ticket: ticket, recipient: "Jane@Example.test", nonce: MessageIDSigner.nonce(millisecondsSince1970: 1_773_500_966_000, random: 42),
                                  domain: "desk.test")
        #expect(id.hasPrefix("ST-2026-012.mmqgone8.16.") && id.hasSuffix("@desk.test") && id.count == 50)
        // Then it verifies for jane (in any case) and names the ticket
        #expect(signer.verify(id, recipient: "jane@example.test") == ticket)
        // And not for anyone else, nor under another key
        #expect(signer.verify(id, recipient: "omar@example.test") == nil)
        #expect(MessageIDSigner(key: Array(repeating: 8, count: 32)).verify(id, recipient: "jane@example.test") == nil)
    }

    @Test func aTamperedIDDoesNotVerify() throws {
        // Given a genuine id
        let id = signer.messageID(ticket: ticket, recipient: "jane@example.test", nonce: "1773500966000", domain: "desk.test")
        // When its ticket number, nonce or signature is changed
        let otherTicket = id.replacingOccurrences(of: "ST-2026-012", with: "ST-2026-013")
        let otherNonce = id.replacingOccurrences(of: "1773500966000", with: "1773500966001")
        let parts = try #require(MessageIDSigner.parts(of: id))
        let flipped = id.replacingOccurrences(of: parts.mac, with: String(parts.mac.reversed()))
        // Then none verifies; ids not shaped like ours are refused too
        for forged in [otherTicket, otherNonce, flipped, "ST-2026-012@desk.test", "ST-2026-012.x.y@desk.test", "garbage", ""] {
            #expect(signer.verify(forged, recipient: "jane@example.test") == nil, "\(forged)")
        }
    }
}
