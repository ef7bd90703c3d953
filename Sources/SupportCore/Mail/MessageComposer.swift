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
        if message.attachments.isEmpty {
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: quoted-printable")
        } else {
            headers.append("Content-Type: multipart/mixed; boundary=\"\(mixedBoundary)\"")
        }
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
        if message.attachments.isEmpty {
            bytes.append(contentsOf: MIMEEncoding.quotedPrintable(message.body))
        } else {
            appendMixedBody(message, to: &bytes)
        }
        return bytes
    }

    // MARK: - Attachments

    /// `=_` can occur neither in quoted-printable (`=` is followed by two hex digits or a line
    /// break) nor in base64, so no part can contain the boundary, whatever the files hold.
    static let mixedBoundary = "=_support-mixed_="

    /// The text as the first part, then each file as a base64 part with its name in RFC 2231
    /// form (`filename*=utf-8''…`, split into `filename*0*`, `filename*1*` … past 60 characters).
    private static func appendMixedBody(_ message: MailMessage, to bytes: inout [UInt8]) {
        func line(_ text: String) {
            bytes.append(contentsOf: text.utf8)
            bytes.append(0x0A)
        }
        let total = message.attachments.reduce(0) { $0 + $1.data.count }
        bytes.reserveCapacity(bytes.count + message.body.utf8.count * 11 / 10 + total * 138 / 100 + 4096)
        line("This is a multi-part message in MIME format.")
        line("")
        line("--" + mixedBoundary)
        line("Content-Type: text/plain; charset=utf-8")
        line("Content-Transfer-Encoding: quoted-printable")
        line("")
        bytes.append(contentsOf: MIMEEncoding.quotedPrintable(message.body))
        for file in message.attachments {
            line("--" + mixedBoundary)
            line("Content-Type: " + safeMediaType(file.contentType))
            line("Content-Transfer-Encoding: base64")
            let name = fileNameParameters(file.fileName)
            line("Content-Disposition: attachment;" + (name.count == 1 ? " " + name[0] : "\n " + name.joined(separator: ";\n ")))
            line("")
            appendBase64Lines(file.data, to: &bytes)
        }
        line("--" + mixedBoundary + "--")
    }

    /// `type/subtype` of token characters only (RFC 2045), else application/octet-stream: a
    /// declared type never brings a parameter, a quote or a line break into the part's header.
    static func safeMediaType(_ type: String) -> String {
        let parts = type.lowercased().split(separator: "/", omittingEmptySubsequences: false)
        let token = { (s: Substring) in !s.isEmpty && s.utf8.count <= 100 && s.utf8.allSatisfy(isTokenByte) }
        guard parts.count == 2, token(parts[0]), token(parts[1]) else { return "application/octet-stream" }
        return parts.joined(separator: "/")
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !"()<>@,;:\\\"/[]?=".utf8.contains(byte)
    }

    /// RFC 2231 parameters for a file name: percent-encoded UTF-8, control characters left out,
    /// in pieces that keep each header line short and never split a `%XX`.
    static func fileNameParameters(_ name: String) -> [String] {
        var encoded: [String] = []
        for scalar in name.unicodeScalars where scalar.value >= 0x20 && scalar.value != 0x7F {
            for byte in String(scalar).utf8 {
                let plain = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || "!#$&+-.^_`|~".utf8.contains(byte)
                encoded.append(plain ? String(UnicodeScalar(byte)) : "%" + hex2(byte))
            }
        }
        if encoded.isEmpty { encoded = ["attachment"] }
        var pieces: [String] = []
        var current = ""
        for unit in encoded {
            if current.utf8.count + unit.utf8.count > 60 {
                pieces.append(current)
                current = ""
            }
            current += unit
        }
        pieces.append(current)
        if pieces.count == 1 { return ["filename*=utf-8''" + pieces[0]] }
        return pieces.enumerated().map { index, piece in "filename*\(index)*=" + (index == 0 ? "utf-8''" : "") + piece }
    }

    private static func hex2(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Base64 in lines of 76 characters (RFC 2045 §6.8), straight into the message buffer.
    static func appendBase64Lines(_ data: [UInt8], to out: inout [UInt8]) {
        var index = 0
        var column = 0
        while index < data.count {
            let b0 = data[index]
            let b1 = index + 1 < data.count ? data[index + 1] : 0
            let b2 = index + 2 < data.count ? data[index + 2] : 0
            out.append(base64Alphabet[Int(b0 >> 2)])
            out.append(base64Alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < data.count ? base64Alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : 0x3D)
            out.append(index + 2 < data.count ? base64Alphabet[Int(b2 & 0x3F)] : 0x3D)
            index += 3
            column += 4
            if column == 76 {
                out.append(0x0A)
                column = 0
            }
        }
        if column > 0 { out.append(0x0A) }
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
        let civil = CivilDate(daysSince1970: days)
        let (year, month, day) = (civil.year, civil.month, civil.day)
        let weekday = weekdays[floorDivision(days + 4, 7).remainder]  // 1970-01-01 was a Thursday
        return "\(weekday), \(pad(day, 2)) \(months[month - 1]) \(pad(year, 4)) "
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)) +0000"
    }

    private static func floorDivision(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
