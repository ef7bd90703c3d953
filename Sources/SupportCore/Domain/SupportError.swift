/// Every failure the core reports. Each case carries words fit to show a person as one line,
/// naming fields rather than flags (see `Wording`); none carries SQL or a stack trace.
public enum SupportError: Error, Equatable, Sendable {
    /// Invalid input (seed 400).
    case invalidInput(field: String?, Wording)
    /// No such ticket, user or message (seed 404).
    case notFound(Wording)
    /// The acting person is nobody the desk knows, or no one authenticated (seed 401).
    case unknownActor(Wording)
    /// Not allowed for this role (seed 403).
    case forbidden(Wording)
    /// Ticket-creation rate limit (seed 429).
    case rateLimited(Wording, retryAfter: Date)
    /// The database stayed locked past the busy timeout.
    case busy(Wording)
    /// The database is unreadable, corrupt, not writable, or from a newer version.
    case storage(Wording)
    /// Misconfiguration, e.g. no mail program.
    case configuration(Wording)
    /// A bug (seed 500).
    case internalError(Wording)

    /// The words with fields named as SPEC's JSON names them (the HTTP API, logs).
    public var message: String { wording.description }

    /// The words, for a front end to name the fields its own way (`message(naming:)`).
    public func message(naming: Wording.Naming) -> String { wording.text(naming) }

    public var wording: Wording {
        switch self {
        case .invalidInput(_, let m), .notFound(let m), .unknownActor(let m), .forbidden(let m),
             .rateLimited(let m, _), .busy(let m), .storage(let m), .configuration(let m), .internalError(let m):
            m
        }
    }

    /// The machine-readable code of the seed's `APIError`.
    public var code: String {
        switch self {
        case .invalidInput: "INVALID_INPUT"
        case .notFound: "NOT_FOUND"
        case .unknownActor: "UNAUTHORIZED"
        case .forbidden: "FORBIDDEN"
        case .rateLimited: "RATE_LIMITED"
        case .busy: "BUSY"
        case .storage: "DATABASE_ERROR"
        case .configuration: "CONFIGURATION_ERROR"
        case .internalError: "INTERNAL_ERROR"
        }
    }

    /// The sysexits code SPEC assigns to the class of failure.
    public var exitCode: Int32 {
        switch self {
        case .invalidInput: 65
        case .notFound: 66
        case .unknownActor: 67
        case .forbidden: 77
        case .rateLimited, .busy: 75
        case .storage: 74
        case .configuration: 78
        case .internalError: 70
        }
    }
}

extension SupportError: CustomStringConvertible {
    public var description: String { message }
}

import Foundation
