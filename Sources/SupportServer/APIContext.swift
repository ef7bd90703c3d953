import Hummingbird

/// The request context: Hummingbird's core storage and the client's address, which the
/// failed-authentication limit and the access log key on.
struct APIContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let clientAddress: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
