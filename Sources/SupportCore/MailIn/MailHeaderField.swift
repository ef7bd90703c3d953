/// One header field as received, unfolded.
public struct MailHeaderField: Sendable, Equatable {
    /// As written (`Content-Type`, `content-type`...); compare case-insensitively.
    public var name: String
    /// Unfolded (the line breaks of folding removed, the blanks kept), not yet RFC 2047 decoded.
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
