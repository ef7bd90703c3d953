/// One file that came with an incoming message, decoded from its transfer encoding.
public struct InboundAttachment: Sendable, Equatable {
    /// Safe to use as a file name anywhere (`FileNameSanitizer`): no path parts, no control
    /// characters, no reserved Windows names, never empty, at most 255 UTF-8 bytes.
    public var fileName: String
    /// `type/subtype` in lower case, without parameters (`application/octet-stream` when unknown).
    public var contentType: String
    public var data: [UInt8]
    /// The part's `Content-ID` without angle brackets, so HTML that shows it inline can be matched.
    public var contentID: String?
    /// True when the sender marked it `Content-Disposition: inline` (a pasted picture).
    public var isInline: Bool

    public init(fileName: String, contentType: String, data: [UInt8], contentID: String? = nil, isInline: Bool = false) {
        self.fileName = fileName
        self.contentType = contentType
        self.data = data
        self.contentID = contentID
        self.isInline = isInline
    }
}
