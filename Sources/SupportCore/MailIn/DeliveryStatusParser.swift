/// Reads a delivery status notification (RFC 3464): which recipients failed, for good or not,
/// and which message it is about (from the returned message or its headers).
enum DeliveryStatusParser {
    static func report(_ root: MIMEPart, parser: MIMEParser, reader: inout InboundMailReader) -> DeliveryStatusReport? {
        guard let statusPart = root.children.first(where: {
            $0.mediaType == "message/delivery-status" || $0.mediaType == "message/global-delivery-status"
        }) else { return nil }
        let body = (try? reader.decodedBody(statusPart)) ?? []
        let text = TextDecoding.normalisedBody(TextDecoding.headerString(body))
        var failed: [String] = []
        var permanent = false
        // Groups of fields separated by blank lines: the first is about the message, the rest
        // one per recipient.
        for group in groups(text) {
            let action = group["action"]?.lowercased() ?? ""
            let status = group["status"] ?? ""
            guard let recipientField = group["final-recipient"] ?? group["original-recipient"] else { continue }
            if action.hasPrefix("failed") || action.hasPrefix("delayed") || (action.isEmpty && (status.hasPrefix("5") || status.hasPrefix("4"))) {
                // `rfc822; jane@x`: the address type, then the address.
                let address = recipientField.split(separator: ";", maxSplits: 1).last.map { $0.trimmingBlanks() } ?? ""
                let cleaned = MailAddressParser.addrSpec(address.trimmingAngleBrackets()) ?? address
                if !cleaned.isEmpty, !failed.contains(cleaned) { failed.append(cleaned) }
                if action.hasPrefix("failed") || status.hasPrefix("5") { permanent = true }
            }
        }
        var originalID: String?
        if let returned = root.children.first(where: {
            ["message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"].contains($0.mediaType)
        }) {
            let headers = parser.headersOfEmbeddedMessage(returned.body)
            originalID = MessageIDList.parse(headers.first(named: "Message-ID")).first
        }
        return DeliveryStatusReport(originalMessageID: originalID, failedRecipients: failed, isPermanent: permanent)
    }

    /// qmail-send's bounce: plain text that starts "Hi. This is the qmail-send program at HOST.",
    /// then one `<address>:` line per recipient that failed, each followed by the reason, then
    /// "--- Below this line is a copy of the message." and the message (or its headers). qmail
    /// sends it only when it gave up, so it is always permanent.
    static func qmailReport(_ text: String) -> DeliveryStatusReport? {
        // Every plain-text message comes here: its first bytes after the blanks tell, before the
        // whole text is copied and searched (that was 3 % of a Maildir run's CPU). A text whose
        // bytes do not start so cannot pass the check below, which compares characters.
        let opening = "Hi. This is the qmail-send program"
        guard text.utf8.drop(while: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }).starts(with: opening.utf8) else {
            return nil
        }
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n")
        guard normalised.trimmingBlanks().hasPrefix(opening) else { return nil }
        let marker = "--- Below this line is a copy of the message."
        let parts = normalised.components(separatedBy: marker)
        var failed: [String] = []
        for line in parts[0].split(separator: "\n") {
            let line = line.trimmingBlanks()
            guard line.hasPrefix("<"), line.hasSuffix(">:") else { continue }
            let address = String(line.dropFirst().dropLast(2))
            if let cleaned = MailAddressParser.addrSpec(address), !failed.contains(cleaned) { failed.append(cleaned) }
        }
        var originalID: String?
        if parts.count > 1 {
            // The returned headers: up to the first blank line after the marker's own.
            let returned = parts[1].drop(while: { $0 == "\n" })
            for line in returned.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.trimmingBlanks().isEmpty { break }
                if line.lowercased().hasPrefix("message-id:") {
                    originalID = MessageIDList.parse(String(line.dropFirst("message-id:".count))).first
                    break
                }
            }
        }
        return DeliveryStatusReport(originalMessageID: originalID, failedRecipients: failed, isPermanent: true)
    }

    private static func groups(_ text: String) -> [[String: String]] {
        var groups: [[String: String]] = []
        var current: [String: String] = [:]
        var lastName: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.trimmingBlanks().isEmpty {
                if !current.isEmpty { groups.append(current) }
                current = [:]
                lastName = nil
            } else if line.first == " " || line.first == "\t", let name = lastName {
                current[name, default: ""] += " " + line.trimmingBlanks()
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingBlanks().lowercased()
                if current[name] == nil { current[name] = line[line.index(after: colon)...].trimmingBlanks() }
                lastName = name
            }
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}

private extension String {
    func trimmingAngleBrackets() -> String {
        let isBracket: (Character) -> Bool = { $0 == "<" || $0 == ">" }
        return String(drop(while: isBracket).reversed().drop(while: isBracket).reversed())
    }
}
