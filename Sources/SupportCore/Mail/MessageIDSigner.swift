/// Message-IDs the desk writes carry an HMAC-SHA-256 over the ticket number, the recipient and a
/// nonce, keyed by the desk's own secret: `ST-2026-001.<nonce>.<mac>@domain`. A reply naming
/// such an id in In-Reply-To/References proves its sender saw the desk's mail, and says which
/// ticket and whom it went to; ticket numbers alone are easy to guess (osTicket and FreeScout
/// sign theirs for the same reason).
public struct MessageIDSigner: Sendable {
    let key: [UInt8]

    /// 96 bits of the HMAC, as 24 hex digits: forging one is 2^96 guesses, and the id stays short.
    static let macHexLength = 24

    public init(key: [UInt8]) {
        self.key = key
    }

    /// The id (without angle brackets) of a message about `ticket` to `recipient`. `nonce` makes
    /// it unique (digits, letters and dots only).
    public func messageID(ticket: TicketNumber, recipient: String, nonce: String, domain: String) -> String {
        "\(ticket).\(nonce).\(mac(ticket: ticket, recipient: recipient, nonce: nonce))@\(domain)"
    }

    /// The parts of an id shaped like ours, before its signature is checked.
    public struct Parts: Sendable, Equatable {
        public var ticket: TicketNumber
        public var nonce: String
        public var mac: String
    }

    public static func parts(of messageID: String) -> Parts? {
        guard let at = messageID.lastIndex(of: "@") else { return nil }
        let local = messageID[..<at].split(separator: ".", omittingEmptySubsequences: false)
        guard local.count >= 3, let ticket = TicketNumber.parseCanonical(String(local[0])),
              let mac = local.last, mac.utf8.count == macHexLength
        else { return nil }
        return Parts(ticket: ticket, nonce: local.dropFirst().dropLast().joined(separator: "."), mac: String(mac))
    }

    /// The ticket, when `messageID` is one the desk signed for `recipient`.
    public func verify(_ messageID: String, recipient: String) -> TicketNumber? {
        guard let parts = Self.parts(of: messageID) else { return nil }
        let expected = mac(ticket: parts.ticket, recipient: recipient, nonce: parts.nonce)
        // Compared in constant time: the loop never stops early.
        var difference: UInt8 = 0
        for (a, b) in zip(expected.utf8, parts.mac.lowercased().utf8) { difference |= a ^ b }
        return difference == 0 && expected.utf8.count == parts.mac.utf8.count ? parts.ticket : nil
    }

    func mac(ticket: TicketNumber, recipient: String, nonce: String) -> String {
        let message = Array("\(ticket)\n\(recipient.lowercased())\n\(nonce)".utf8)
        return String(SHA256.hex(SHA256.hmac(key: key, message: message)).prefix(Self.macHexLength))
    }
}
