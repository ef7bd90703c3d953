import Foundation
import Hummingbird
import SupportCore

/// JSON responses in the shapes of the CLI's `--json` (JSONRenderer) and the seed's APIError.
enum APIResponse {
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(text.utf8.count + 1)
        buffer.writeString(text)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return json(buffer, status: status)
    }

    /// JSON already in UTF-8 bytes (a page of tickets: no String made of it on the way).
    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(bytes.count + 1)
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return json(buffer, status: status)
    }

    static func json(_ body: ByteBuffer, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// A ticket's replies in `frame`, page by page (`HelpDesk.replyPage`): one page in memory at
    /// a time however long the ticket (10,000 replies of 64 KiB were 626 MiB whole). When the
    /// first page holds them all, the body is one buffer with its length, as any other answer;
    /// otherwise it is sent in chunks as pages are read, and a failure mid-way (the ticket
    /// deleted meanwhile) cuts the connection, so that a client never takes a part for the whole.
    static func replies(_ frame: JSONRenderer.StreamedTicket, first: ReplyPage,
                        next: @escaping @Sendable (ReplyCursor) async throws -> ReplyPage) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        var start = ByteBuffer(string: frame.head)
        for (index, reply) in first.replies.enumerated() { start.writeString(frame.reply(reply, first: index == 0)) }
        guard let cursor = first.next else {
            start.writeString(frame.tail(replies: first.replies.count) + "\n")
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: start))
        }
        let firstCount = first.replies.count, firstBuffer = start
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writer.write(firstBuffer)
            var written = firstCount
            var at: ReplyCursor? = cursor
            while let cursor = at {
                let page = try await next(cursor)
                var buffer = ByteBuffer()
                for reply in page.replies {
                    buffer.writeString(frame.reply(reply, first: written == 0))
                    written += 1
                }
                try await writer.write(buffer)
                at = page.next
            }
            try await writer.write(ByteBuffer(string: frame.tail(replies: written) + "\n"))
            try await writer.finish(nil)
        })
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
