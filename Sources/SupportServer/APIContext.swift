import Hummingbird

/// The request context: Hummingbird's core storage and the client's address, which the
/// failed-authentication limit and the access log key on.
struct APIContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The TCP peer, or with `--trust-proxy` the address the proxy in front names (AccessLog).
    var clientAddress: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
