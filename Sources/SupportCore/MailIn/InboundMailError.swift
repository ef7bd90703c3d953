/// Why a message could not be read; the ingester quarantines it rather than bouncing it.
public enum InboundMailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a mail message (no header section at all, say). The reason is one line.
    case unparseable(String)
    /// A limit of `InboundMailLimits` was passed. The reason names the limit.
    case tooLarge(String)

    public var description: String {
        switch self {
        case .unparseable(let reason): "unparseable mail: \(reason)"
        case .tooLarge(let reason): "mail too large: \(reason)"
        }
    }
}
