import Foundation

/// Builds an `InboundMail` from the MIME tree: picks the body text, collects attachments,
/// reads the threading and loop-detection headers and a delivery report.
struct InboundMailReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: InboundMailLimits
    private var decodedBytes = 0
    private var attachments: [InboundAttachment] = []
    private var problems: [String] = []

    init(bytes: UnsafeBufferPointer<UInt8>, limits: InboundMailLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func read() throws(InboundMailError) -> InboundMail {
        var parser = MIMEParser(bytes: bytes, limits: limits)
        let root = try parser.parseMessage()
        problems = parser.problems
        let headers = root.headers

        var deliveryStatus: DeliveryStatusReport?
        if root.mediaType == "multipart/report",
           root.contentType.parameters["report-type"]?.lowercased() == "delivery-status" {
            deliveryStatus = DeliveryStatusParser.report(root, parser: parser, reader: &self)
        }
        let text = try bodyText(root) ?? ""
        if deliveryStatus == nil, !root.isMultipart {
            // qmail's bounces are plain text, not RFC 3464 reports.
            deliveryStatus = DeliveryStatusParser.qmailReport(text)
        }
        return InboundMail(headers: headers, isDeliveryReport: deliveryStatus != nil, text: text, attachments: attachments,
                           deliveryStatus: deliveryStatus, problems: problems)
    }

    // MARK: Body text

    /// The text of a part that is (or holds) the message body; other leaves become attachments.
    /// multipart/alternative: text/plain preferred, else the richest readable alternative.
    /// multipart/related: its first part is the body, the rest (pictures) are attachments.
    /// Other multiparts (mixed, signed, report...): inline text parts in order, joined.
    private mutating func bodyText(_ part: MIMEPart) throws(InboundMailError) -> String? {
        if part.isUnread { return nil }
        if part.isMultipart && !part.children.isEmpty {
            switch part.mediaType {
            case "multipart/alternative":
                return try alternativeText(part)
            case "multipart/related":
                let body = try bodyText(part.children[0])
                for child in part.children.dropFirst() { try collectAttachments(child) }
                return body
            default:
                var texts: [String] = []
                for child in part.children {
                    if let text = try bodyText(child), !text.isEmpty { texts.append(text) }
                }
                return texts.isEmpty ? nil : texts.joined(separator: "\n\n")
            }
        }
        if isInlineText(part) {
            return try leafText(part)
        }
        try collectAttachments(part)
        return nil
    }

    private mutating func alternativeText(_ part: MIMEPart) throws(InboundMailError) -> String? {
        let children = part.children
        let chosen = children.firstIndex { $0.mediaType == "text/plain" && isInlineText($0) }
            ?? children.lastIndex { $0.isMultipart && !$0.children.isEmpty }
            ?? children.firstIndex { isInlineText($0) }
        guard let chosen else {
            for child in children { try collectAttachments(child) }
            return nil
        }
        var text = try bodyText(children[chosen])
        // Some senders (newsletters, a few webmail clients) put an empty text/plain beside the
        // real HTML: then the HTML is what the person wrote.
        if text?.trimmingBlanks().isEmpty ?? true,
           let html = children.firstIndex(where: { $0.mediaType == "text/html" && isInlineText($0) }), html != chosen {
            text = try bodyText(children[html])
        }
        // The other alternatives say the same thing; only their attachments (pictures of an
        // HTML alternative inside multipart/related) are worth keeping.
        for (index, child) in children.enumerated() where index != chosen && child.isMultipart {
            try collectAttachmentsSkippingText(child)
        }
        return text
    }

    /// A text/plain or text/html part that is not marked as an attachment and has no file name.
    private func isInlineText(_ part: MIMEPart) -> Bool {
        let type = part.mediaType
        guard type == "text/plain" || type == "text/html" || (part.isMultipart && part.children.isEmpty) else { return false }
        let disposition = part.disposition
        if disposition.value == "attachment" { return false }
        // A named text part is a file the person attached (notes.txt), not what they wrote.
        return disposition.parameters["filename"] == nil && part.contentType.parameters["name"] == nil
    }

    private mutating func leafText(_ part: MIMEPart) throws(InboundMailError) -> String {
        let data = try decodedBody(part)
        let text = MailCharset.decode(data, charset: part.contentType.parameters["charset"])
        if part.mediaType == "text/html" {
            return HTMLText.text(TextDecoding.normalisedBody(text))
        }
        var plain = TextDecoding.normalisedBody(text)
        if part.contentType.parameters["format"]?.lowercased() == "flowed" {
            plain = FlowedText.unflow(plain, deleteSpace: part.contentType.parameters["delsp"]?.lowercased() == "yes")
        }
        return plain
    }

    mutating func decodedBody(_ part: MIMEPart) throws(InboundMailError) -> [UInt8] {
        let data = TransferDecoding.decode(bytes, part.body, encoding: part.headers.first(named: "Content-Transfer-Encoding"))
        decodedBytes += data.count
        if decodedBytes > limits.maxDecodedBytes {
            throw .tooLarge("parts decode to more than \(limits.maxDecodedBytes) bytes")
        }
        return data
    }

    // MARK: Attachments

    private mutating func collectAttachments(_ part: MIMEPart) throws(InboundMailError) {
        if part.isUnread { return }
        if part.isMultipart && !part.children.isEmpty {
            for child in part.children { try collectAttachments(child) }
            return
        }
        let data = try decodedBody(part)
        if data.isEmpty && part.disposition.parameters["filename"] == nil && part.contentType.parameters["name"] == nil {
            return  // an empty inline part carries nothing worth keeping
        }
        let declared = part.disposition.parameters["filename"] ?? part.contentType.parameters["name"]
        var fallback: String?
        if declared == nil, part.mediaType == "message/rfc822" {
            let embedded = MIMEParser(bytes: bytes, limits: limits).headersOfEmbeddedMessage(part.body)
            fallback = embedded.first(named: "Subject").map { TextDecoding.oneLine(EncodedWords.decode($0)) + ".eml" }
        }
        attachments.append(InboundAttachment(
            fileName: FileNameSanitizer.sanitise(declared ?? fallback, mediaType: part.mediaType),
            contentType: part.mediaType,
            data: data,
            contentID: MessageIDList.parse(part.headers.first(named: "Content-ID")).first,
            isInline: part.disposition.value == "inline"
        ))
    }

    /// Attachments of an alternative that was not chosen, without its text parts.
    private mutating func collectAttachmentsSkippingText(_ part: MIMEPart) throws(InboundMailError) {
        if part.isMultipart && !part.children.isEmpty {
            for child in part.children { try collectAttachmentsSkippingText(child) }
        } else if !isInlineText(part) {
            try collectAttachments(part)
        }
    }

    mutating func note(_ problem: String) {
        problems.append(problem)
    }
}
