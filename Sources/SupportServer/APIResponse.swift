import Foundation
import Hummingbird
import SupportCore

/// JSON responses in the shapes of the CLI's `--json` (JSONRenderer) and the seed's APIError.
enum APIResponse {
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func error(_ error: SupportError) -> Response {
        var response = json(JSONRenderer.error(error), status: status(of: error))
        switch error {
        case .rateLimited(_, let retryAfter):
            response.headers[.retryAfter] = String(max(1, Int(retryAfter.timeIntervalSinceNow.rounded(.up))))
        case .busy:
            response.headers[.retryAfter] = "1"
        default: break
        }
        return response
    }

    /// An error the core does not know (a too large body, an unknown route), in the same shape.
    static func error(status: HTTPResponse.Status, code: String, message: String) -> Response {
        json(JSONValue.object([("error", .string(message)), ("code", .string(code)), ("details", .null)]).serialized(pretty: false),
             status: status)
    }

    static func unauthorized(_ message: String = "a valid bearer token is required") -> Response {
        var response = error(.unknownActor(Wording(message)))
        response.headers[.wwwAuthenticate] = "Bearer realm=\"support\""
        return response
    }

    /// The seed's statuses for the core's failures.
    static func status(of error: SupportError) -> HTTPResponse.Status {
        switch error {
        case .invalidInput: .badRequest
        case .notFound: .notFound
        case .unknownActor: .unauthorized
        case .forbidden: .forbidden
        case .rateLimited: .tooManyRequests
        case .busy: .serviceUnavailable
        case .storage, .configuration, .internalError: .internalServerError
        }
    }
}
