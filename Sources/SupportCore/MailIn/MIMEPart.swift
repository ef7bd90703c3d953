/// One node of a message's MIME tree: its headers and where its body lies in the raw bytes.
struct MIMEPart {
    var headers: [MailHeaderField]
    /// The body (after the part's header section) as a range of the message's bytes.
    var body: Range<Int>
    /// Filled for multipart/* parts whose delimiters were found.
    var children: [MIMEPart] = []
    var depth: Int
    /// A multipart beyond `maxDepth`: neither its text nor its files are looked at, since reading
    /// it as text would show raw MIME.
    var isUnread = false

    var contentType: MIMEHeaderValue { MIMEHeaderValue(headers.first(named: "Content-Type")) }
    var disposition: MIMEHeaderValue { MIMEHeaderValue(headers.first(named: "Content-Disposition")) }

    /// `type/subtype`; `text/plain` when missing or not of that shape (RFC 2045 §5.2), and
    /// inside multipart/digest `message/rfc822` would be the default, which nobody sends.
    var mediaType: String {
        let value = contentType.value
        guard let slash = value.firstIndex(of: "/"), slash != value.startIndex,
              value.index(after: slash) != value.endIndex else { return "text/plain" }
        return value.filter { $0 != " " && $0 != "\t" }
    }

    var isMultipart: Bool { mediaType.hasPrefix("multipart/") }
}
