/// Bounds that keep a hostile message from costing unbounded memory or stack.
public struct InboundMailLimits: Sendable, Equatable {
    /// The largest header section of any one part (the message's own headers included).
    public var maxHeaderBytes: Int
    /// How deep multiparts may nest; deeper parts are not looked into (and `problems` says so).
    public var maxDepth: Int
    /// How many MIME parts are looked at in all; later ones are not (and `problems` says so).
    public var maxParts: Int
    /// The most bytes all parts may decode to together; more is `InboundMailError.tooLarge`.
    public var maxDecodedBytes: Int

    public init(maxHeaderBytes: Int, maxDepth: Int, maxParts: Int, maxDecodedBytes: Int) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxDecodedBytes = maxDecodedBytes
    }

    /// Real mail stays far below these: Outlook nests about 4 deep, a header section of a
    /// long-threaded message is some tens of kB (References grows with the thread).
    /// A 100 kB header line still fits, so such a message is read rather than refused.
    public static let standard = InboundMailLimits(
        maxHeaderBytes: 512 * 1024,
        maxDepth: 32,
        maxParts: 1_000,
        maxDecodedBytes: 100 * 1024 * 1024
    )
}
