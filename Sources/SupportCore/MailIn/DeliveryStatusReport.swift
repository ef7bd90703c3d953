/// What a bounce (`multipart/report; report-type=delivery-status`, RFC 3464) says.
public struct DeliveryStatusReport: Sendable, Equatable {
    /// The Message-ID (without angle brackets) of the message that bounced, from the returned
    /// message or its headers; nil when the reporting server returned neither.
    public var originalMessageID: String?
    /// Recipients whose `Action` is `failed` or `delayed`, as addr-specs.
    public var failedRecipients: [String]
    /// True when some recipient failed for good (`Action: failed` or a `5.x.x` status);
    /// false for a delay warning, after which the server keeps trying.
    public var isPermanent: Bool

    public init(originalMessageID: String?, failedRecipients: [String], isPermanent: Bool) {
        self.originalMessageID = originalMessageID
        self.failedRecipients = failedRecipients
        self.isPermanent = isPermanent
    }
}
