/// Message-IDs the desk writes carry an HMAC-SHA-256 over the ticket number, the recipient and a
/// nonce, keyed by the desk's own secret: `ST-2026-001.<nonce>.<mac>@domain`. A reply naming
/// such an id in In-Reply-To/References proves its sender saw the desk's mail, and says which
/// ticket and whom it went to; ticket numbers alone are easy to guess (osTicket and FreeScout
/// sign theirs for the same reason).
public struct MessageIDSigner: Sendable {
    let key: [UInt8]

    /// 64 bits of the HMAC, as 16 hex digits: a forger gets one guess per message the desk
    /// accepts, so 2^64 is out of reach; and the id stays short enough for one header line
    /// (Python's `email`, a mail client's library, wrote a 94-character In-Reply-To as
    /// RFC 2047 encoded-words instead of folding it: MailInRoundTripTests).
    static let macHexLength = 16

    public init(key: [UInt8]) {
        self.key = key
    }

    /// The id (without angle brackets) of a message about `ticket` to `recipient`. `nonce` makes
    /// it unique (digits, letters and dots only).
    /// Example: `ST-2026-001.mf3k2a1b.1x7k2p.0123456789abcdef@desk.test`.
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

    /// A short nonce: the time in milliseconds and a random number, base 36.
    static func nonce(millisecondsSince1970: Int64, random: UInt32?) -> String {
        let time = String(millisecondsSince1970, radix: 36)
        return random.map { time + "." + String($0, radix: 36) } ?? time
    }
}
