import Foundation

/// Turns a `MailMessage` into the bytes handed to the mail program: pure, text in, bytes out.
///
/// What a caller can rely on, whatever the input:
/// - The output is 7-bit ASCII with LF line endings and ends with a newline. Every header line
///   is one of the headers listed in `compose` or a continuation starting with a space; no line
///   is longer than 998 octets, and header lines stay within 78 characters unless one address,
///   message id or Auto-Submitted value is longer than that.
/// - Subject and display names: control characters (Unicode Cc, so CR, LF, NUL, TAB, DEL, C1)
///   and U+2028/U+2029 become spaces. Apart from that the subject decodes back exactly;
///   display names also have runs of spaces made one and their ends trimmed.
/// - The body is quoted-printable and decodes back to the text with every line ending made LF,
///   and a final LF added when the text is not empty and does not end with one.
/// - Message ids keep only printable ASCII other than `<` and `>`; addresses only printable
///   ASCII other than `<>()[]\,;:"`. Each is cut at 900 bytes.
public enum MessageComposer {
    /// The full RFC 5322 message, LF line endings (it goes into a sendmail pipe, which converts),
    /// ending with a newline.
    ///
    /// Headers, in order: Date, From, To, Reply-To (if set), Subject, Message-ID, In-Reply-To (if
    /// set), References (if any), MIME-Version, Content-Type, Content-Transfer-Encoding,
    /// Auto-Submitted (if set), X-Loop (if set).
    public static func compose(_ message: MailMessage) -> [UInt8] {
        var headers = [
            "Date: " + rfc5322Date(message.date),
            MIMEEncoding.field("From", mailboxTokens(message.from)),
            MIMEEncoding.field("To", addressListTokens(message.to)),
        ]
        if let replyTo = message.replyTo {
            headers.append(MIMEEncoding.field("Reply-To", mailboxTokens(replyTo)))
        }
        headers.append(MIMEEncoding.field("Subject", MIMEEncoding.unstructuredTokens(message.subject)))
        headers.append(MIMEEncoding.field("Message-ID", [messageIDToken(message.messageID)]))
        if let inReplyTo = message.inReplyTo, let token = nonEmptyMessageIDToken(inReplyTo) {
            headers.append(MIMEEncoding.field("In-Reply-To", [token]))
        }
        let references = message.references.compactMap(nonEmptyMessageIDToken)
        if !references.isEmpty {
            headers.append(MIMEEncoding.field("References", references))
        }
        headers.append("MIME-Version: 1.0")
        headers.append("Content-Type: text/plain; charset=utf-8")
        headers.append("Content-Transfer-Encoding: quoted-printable")
        if let autoSubmitted = message.autoSubmitted {
            // RFC 3834 values are a keyword with optional `;param=value`, all printable ASCII.
            let value = MIMEEncoding.unfoldableToken(autoSubmitted, excluding: "")
            if !value.isEmpty {
                headers.append(MIMEEncoding.field("Auto-Submitted", [value]))
            }
        }
        if let loop = message.loop {
            let value = MIMEEncoding.unfoldableToken(loop, excluding: "<>()[]\\,;:\"")
            if !value.isEmpty {
                headers.append(MIMEEncoding.field("X-Loop", [value]))
            }
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024 + message.body.utf8.count * 11 / 10)
        for header in headers {
            bytes.append(contentsOf: header.utf8)
            bytes.append(0x0A)
        }
        bytes.append(0x0A)
        bytes.append(contentsOf: MIMEEncoding.quotedPrintable(message.body))
        return bytes
    }

    // MARK: - Addresses

    private static func mailboxTokens(_ address: MailAddress) -> [String] {
        let email = MIMEEncoding.unfoldableToken(address.email, excluding: "<>()[]\\,;:\"")
        let name = MIMEEncoding.displayNameTokens(address.name ?? "")
        return name.isEmpty ? [email] : name + ["<" + email + ">"]
    }

    private static func addressListTokens(_ addresses: [MailAddress]) -> [String] {
        // An empty group: RFC 5322's way to say "no recipient shown".
        guard !addresses.isEmpty else { return ["undisclosed-recipients:;"] }
        var tokens: [String] = []
        for (index, address) in addresses.enumerated() {
            var mailbox = mailboxTokens(address)
            if index < addresses.count - 1 {
                mailbox[mailbox.count - 1] += ","
            }
            tokens += mailbox
        }
        return tokens
    }

    // MARK: - Message ids

    private static func messageIDToken(_ id: String) -> String {
        "<" + MIMEEncoding.unfoldableToken(id, excluding: "<>") + ">"
    }

    private static func nonEmptyMessageIDToken(_ id: String) -> String? {
        let clean = MIMEEncoding.unfoldableToken(id, excluding: "<>")
        return clean.isEmpty ? nil : "<" + clean + ">"
    }

    // MARK: - Date

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Thu, 26 Nov 2026 16:04:17 +0000`: English names and UTC whatever the machine's locale
    /// and zone, computed by arithmetic rather than a formatter. Dates outside the years
    /// 1-9999 (or not finite) are clamped, so no input can make an invalid or unbounded field.
    static func rfc5322Date(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let seconds = interval.isFinite ? Int(min(max(interval, -62_135_596_800), 253_402_300_799).rounded(.down)) : 0
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civilDate(daysSince1970: days)
        let weekday = weekdays[floorDivision(days + 4, 7).remainder]  // 1970-01-01 was a Thursday
        return "\(weekday), \(pad(day, 2)) \(months[month - 1]) \(pad(year, 4)) "
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)) +0000"
    }

    private static func floorDivision(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    /// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count.
    private static func civilDate(daysSince1970: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = daysSince1970 + 719_468
        let era = floorDivision(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
