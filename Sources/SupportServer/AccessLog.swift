import Foundation
import Hummingbird
import Logging

/// One line per request (method, path without the query, status, time, client), never a body or
/// a header's value; and Hummingbird's own errors (unknown route, wrong method, body too large)
/// in the seed's error shape.
struct AccessLog: RouterMiddleware {
    typealias Context = APIContext
    let logger: Logger
    /// `--trust-proxy`: behind nginx every request comes from 127.0.0.1, so the failed-auth limit
    /// and the log would see one client. The proxy's `X-Real-IP` is taken instead, and only from a
    /// loopback peer (the proxy on this machine), never from a client that reaches the server itself.
    var trustProxy = false

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        if trustProxy, ["127.0.0.1", "::1"].contains(context.clientAddress), let named = request.headers[.init("X-Real-IP")!],
           Self.isAddress(named) {
            context.clientAddress = named
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            // The router says 404 for a known path with another method: that is a 405.
            if let allowed = RouteTable.methods(forPath: request.uri.path), !allowed.contains(request.method.rawValue) {
                var refused = APIResponse.error(status: .methodNotAllowed, code: "METHOD_NOT_ALLOWED",
                                                message: "\(request.method.rawValue) is not allowed here (allowed: \(allowed.joined(separator: ", ")))")
                refused.headers[.allow] = allowed.joined(separator: ", ")
                response = refused
            } else {
                response = APIResponse.error(status: .notFound, code: "NOT_FOUND", message: "no such route")
            }
        } catch let error as any HTTPResponseError {
            response = APIResponse.error(status: error.status, code: Self.code(error.status),
                                         message: error.status.reasonPhrase.isEmpty ? "request failed" : error.status.reasonPhrase.lowercased())
        } catch {
            response = APIResponse.error(status: .internalServerError, code: "INTERNAL_ERROR", message: "the request failed on the server")
        }
        let elapsed = ContinuousClock.now - start
        logger.info("request", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            "ms": "\(Self.milliseconds(elapsed))", "client": "\(context.clientAddress)",
        ])
        return response
    }

    /// The duration in milliseconds with one decimal, as `%.1f` writes it: without Foundation's
    /// `String(format:)`, 1.5 % of the server's time on a list (perf, release build).
    static func milliseconds(_ elapsed: Duration) -> String {
        let (seconds, attoseconds) = elapsed.components
        let tenths = seconds * 10_000 + Int64((Double(attoseconds) / 1e14).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// An IPv4 or IPv6 address as text (what nginx's `$remote_addr` is), nothing else.
    static func isAddress(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 45 && text.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit || $0 == "." || $0 == ":" }
    }

    static func code(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "NOT_FOUND"
        case 405: "METHOD_NOT_ALLOWED"
        case 413: "PAYLOAD_TOO_LARGE"
        case 400..<500: "INVALID_INPUT"
        default: "INTERNAL_ERROR"
        }
    }
}

/// The API's paths and their methods (as registered in `API.register`), for 405 and `Allow`.
enum RouteTable {
    static let routes: [(segments: [String], methods: [String])] = [
        (["openapi.yaml"], ["GET"]),
        (["api", "support", "tickets"], ["GET", "POST"]),
        (["api", "support", "tickets", "*"], ["GET", "PUT", "PATCH", "DELETE"]),
        (["api", "support", "tickets", "*", "responses"], ["GET", "POST"]),
        (["api", "support", "tickets", "*", "history"], ["GET"]),
        (["api", "support", "stats"], ["GET"]),
        (["api", "admin", "support", "settings"], ["GET", "PUT"]),
        (["api", "admin", "users"], ["GET"]),
        (["api", "admin", "outbox"], ["GET"]),
        (["api", "admin", "outbox", "retry"], ["POST"]),
    ]

    static func methods(forPath path: String) -> [String]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return routes.first { route in
            route.segments.count == segments.count && zip(route.segments, segments).allSatisfy { $0 == "*" || $0 == $1 }
        }?.methods
    }
}
