import Foundation

/// An incoming RFC 5322 / MIME message, read into what a help desk needs.
/// Pure: no database, no I/O. `parse` never crashes on hostile input; it throws only when the
/// bytes are no mail at all or pass a limit.
public struct InboundMail: Sendable {
    /// Without angle brackets.
    public var messageID: String?
    /// Message-IDs without angle brackets, in header order.
    public var inReplyTo: [String]
    public var references: [String]
    public var from: [MailAddress]
    public var replyTo: [MailAddress]
    /// RFC 2047 decoded, on one line, no control characters; at most `maxSubjectLength` characters.
    public var subject: String
    public var date: Date?
    /// What the person wrote: the text/plain body when there is one, else the HTML as readable text.
    public var text: String
    /// `text` without the quoted history and the signature; the whole `text` when cutting would
    /// leave nothing.
    public var reply: String
    public var attachments: [InboundAttachment]
    public var isAutomatic: Bool
    public var isOutOfOffice: Bool
    /// Why `isAutomatic` (`Auto-Submitted: auto-replied`, `Precedence: bulk`...), for `mail list`.
    public var automaticReason: String?
    public var deliveryStatus: DeliveryStatusReport?
    /// Every header field of the message itself, in order, unfolded and not decoded.
    public var headers: [MailHeaderField]
    /// What was odd but survived (a missing boundary, parts beyond a limit...), one line each.
    public var problems: [String]

    /// A subject is a ticket title, not a document: longer ones (a 100 kB header line) are cut.
    public static let maxSubjectLength = 1_000

    /// The first field of that name (case-insensitive), unfolded, not RFC 2047 decoded.
    public func header(_ name: String) -> String? {
        headers.first(named: name)
    }

    /// The first field of that name with RFC 2047 words decoded, on one safe line.
    public func decodedHeader(_ name: String) -> String? {
        header(name).map { TextDecoding.oneLine(EncodedWords.decode($0)) }
    }

    /// Only the header section: who sent the message, its subject and Message-ID, and whether a
    /// machine sent it. For a message cut at `mail_max_bytes`, whose body is not read at all
    /// (its text and attachments are left empty), so that the desk can tell the sender and
    /// recognise an MTA's retry.
    public static func parseHeader(_ bytes: [UInt8], limits: InboundMailLimits = .standard) throws(InboundMailError) -> InboundMail {
        let result: Result<[MailHeaderField], InboundMailError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(InboundMailError) {
                return .success(try MailHeaderSection.read(buffer, in: 0..<buffer.count, maxBytes: limits.maxHeaderBytes,
                                                           allowEnvelope: true).fields)
            } catch {
                return .failure(error)
            }
        }
        let headers = try result.get()
        guard !headers.isEmpty else { throw .unparseable("no header fields") }
        let type = MIMEHeaderValue(headers.first(named: "Content-Type"))
        let isReport = type.value == "multipart/report" && type.parameters["report-type"]?.lowercased() == "delivery-status"
        return InboundMail(headers: headers, isDeliveryReport: isReport, text: "", attachments: [], deliveryStatus: nil, problems: [])
    }

    public static func parse(_ bytes: [UInt8], limits: InboundMailLimits = .standard) throws(InboundMailError) -> InboundMail {
        let result: Result<InboundMail, InboundMailError> = bytes.withUnsafeBufferPointer { buffer in
            var reader = InboundMailReader(bytes: buffer, limits: limits)
            do throws(InboundMailError) {
                return .success(try reader.read())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension InboundMail {
    /// A message from its header fields and what its body gave: what the header says (ids,
    /// addresses, subject, date, whether a machine sent it) is read here, for `parse` and
    /// `parseHeader` alike.
    init(headers: [MailHeaderField], isDeliveryReport: Bool, text: String, attachments: [InboundAttachment],
         deliveryStatus: DeliveryStatusReport?, problems: [String]) {
        let subject = String(TextDecoding.oneLine(EncodedWords.decode(headers.first(named: "Subject") ?? ""))
            .prefix(Self.maxSubjectLength))
        let automatic = AutomaticMailClassifier.classify(headers: headers, subject: subject, isDeliveryReport: isDeliveryReport)
        self.init(
            messageID: MessageIDList.parse(headers.first(named: "Message-ID")).first,
            inReplyTo: MessageIDList.parse(headers.first(named: "In-Reply-To")),
            references: MessageIDList.parse(headers.first(named: "References")),
            from: MailAddressParser.parse(headers.first(named: "From")),
            replyTo: MailAddressParser.parse(headers.first(named: "Reply-To")),
            subject: subject, date: MailDateParser.parse(headers.first(named: "Date")),
            text: text, reply: QuoteCutter.reply(from: text), attachments: attachments,
            isAutomatic: automatic.isAutomatic, isOutOfOffice: automatic.isOutOfOffice, automaticReason: automatic.reason,
            deliveryStatus: deliveryStatus, headers: headers, problems: problems)
    }
}
