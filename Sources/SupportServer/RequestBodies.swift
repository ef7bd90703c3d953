import Foundation
import Hummingbird
import HummingbirdCore
import SupportCore

/// The seed's `CreateTicketRequest`; staff may add `requesterEmail`/`requesterName` to open a
/// ticket for someone, as `ticket create --requester` does.
struct CreateTicketBody: Decodable {
    var subject: String
    var message: String
    var category: String
    var priority: String?
    var requesterEmail: String?
    var requesterName: String?

    func newTicket() throws(SupportError) -> NewTicket {
        NewTicket(subject: subject, message: message, category: try TicketCategory.parse(category),
                  priority: try priority.map { text throws(SupportError) in try TicketPriority.parse(text) } ?? .medium,
                  requesterEmail: requesterEmail, requesterName: requesterName)
    }
}

/// The seed's `UpdateTicketRequest`. `assignedTo: null` (or `"none"`) unassigns; a missing key
/// leaves the assignee as it is.
struct UpdateTicketBody: Decodable {
    var subject: String?
    var message: String?
    var category: String?
    var priority: String?
    var status: String?
    var assignee: TicketChanges.Assignee?

    enum CodingKeys: String, CodingKey { case subject, message, category, priority, status, assignedTo }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // A field is given a value or left out; null means nothing for these, so it is refused
        // rather than read as "no change" (only assignedTo has a null: unassign).
        func text(_ key: CodingKeys) throws -> String? {
            guard container.contains(key) else { return nil }
            if try container.decodeNil(forKey: key) {
                throw SupportError.invalidInput(field: key.stringValue, "\(key.stringValue) must not be null")
            }
            return try container.decode(String.self, forKey: key)
        }
        subject = try text(.subject)
        message = try text(.message)
        category = try text(.category)
        priority = try text(.priority)
        status = try text(.status)
        if container.contains(.assignedTo) {
            if try container.decodeNil(forKey: .assignedTo) {
                assignee = .unassign
            } else {
                let email = try container.decode(String.self, forKey: .assignedTo)
                assignee = ["none", ""].contains(email.trimmingCharacters(in: .whitespaces).lowercased()) ? .unassign : .assign(email: email)
            }
        }
    }

    func changes() throws(SupportError) -> TicketChanges {
        let changes = TicketChanges(
            subject: subject, message: message,
            category: try category.map { text throws(SupportError) in try TicketCategory.parse(text) },
            priority: try priority.map { text throws(SupportError) in try TicketPriority.parse(text) },
            status: try status.map { text throws(SupportError) in try TicketStatus.parse(text) },
            assignee: assignee)
        guard !changes.isEmpty else {
            throw .invalidInput(field: nil, "nothing to change: give subject, message, category, priority, status or assignedTo")
        }
        return changes
    }
}

/// The seed's `CreateResponseRequest`.
struct CreateResponseBody: Decodable {
    var message: String
    var isInternal: Bool?
    var notifyUser: Bool?
}

struct RetryBody: Decodable {
    var id: Int64?
}

/// A setting's value as JSON gives it: the text of `settings set` for a key of the same type
/// (a boolean for support_auto_response, a whole number for the counts, text for the rest).
enum SettingValue: Decodable {
    case text(String), flag(Bool), number(Int)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else if let number = try? container.decode(Int.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            throw SupportError.invalidInput(field: decoder.codingPath.last?.stringValue, "a setting is text, true/false or a whole number")
        }
    }

    func text(for key: SettingKey) throws(SupportError) -> String {
        switch (key, self) {
        case (.supportAutoResponse, .flag(let flag)), (.supportAssignmentNotice, .flag(let flag)): return flag ? "true" : "false"
        case (.ticketRateLimitPerHour, .number(let n)), (.replyRateLimitPerHour, .number(let n)), (.mailMaxAttempts, .number(let n)):
            return String(n)
        case (.supportEmail, .text(let t)), (.supportName, .text(let t)), (.supportEmailTemplate, .text(let t)),
             (.sendmailCommand, .text(let t)):
            return t
        case (.supportAutoResponse, _), (.supportAssignmentNotice, _): throw .invalidInput(field: key.rawValue, "\(key.rawValue) must be true or false")
        case (.ticketRateLimitPerHour, _), (.replyRateLimitPerHour, _), (.mailMaxAttempts, _):
            throw .invalidInput(field: key.rawValue, "\(key.rawValue) must be a whole number")
        default: throw .invalidInput(field: key.rawValue, "\(key.rawValue) must be text")
        }
    }
}

/// `ticket list`'s options as query parameters: `status`, `priority`, `category` (repeated or
/// comma-separated), `assignee` (email, `me`, `none`), `requester`, `since`, `until`, `search`,
/// `sort`, `reverse`, `page`, `limit`.
enum ListQuery {
    static let known: Set<Substring> = ["status", "priority", "category", "assignee", "requester", "since", "until",
                                        "search", "sort", "reverse", "page", "limit"]

    static func ticketQuery(_ parameters: FlatDictionary<Substring, Substring>, now: Date = Date()) throws(SupportError) -> TicketQuery {
        for (key, _) in parameters where !known.contains(key) {
            throw .invalidInput(field: String(key), "unknown query parameter '\(Validation.printable(String(key)))'")
        }
        var query = TicketQuery()
        query.statuses = try values(parameters, "status").map { text throws(SupportError) in try TicketStatus.parse(text) }
        query.priorities = try values(parameters, "priority").map { text throws(SupportError) in try TicketPriority.parse(text) }
        query.categories = try values(parameters, "category").map { text throws(SupportError) in try TicketCategory.parse(text) }
        if let assignee = single(parameters, "assignee") {
            switch assignee.trimmingCharacters(in: .whitespaces).lowercased() {
            case "me": query.assignee = .me
            case "none", "nobody": query.assignee = TicketQuery.Assignee.nobody
            default: query.assignee = .email(assignee)
            }
        }
        query.requesterEmail = single(parameters, "requester")
        (query.since, query.until) = try period(parameters, now: now)
        // Form encoding's "+" for a space (what browsers and requests send); a searched "+" is rare.
        query.search = single(parameters, "search")?.replacingOccurrences(of: "+", with: " ")
        if let sort = single(parameters, "sort") {
            guard let order = TicketSort(rawValue: sort.lowercased()) else {
                throw .invalidInput(field: "sort", "unknown sort '\(Validation.printable(sort))' (expected created, updated, priority or status)")
            }
            query.sort = order
        }
        if let reverse = single(parameters, "reverse") {
            switch reverse.lowercased() {
            case "true", "1", "": query.reverse = true
            case "false", "0": query.reverse = false
            default: throw .invalidInput(field: "reverse", "reverse must be true or false")
            }
        }
        query.page = try integer(parameters, "page") ?? 1
        query.limit = try integer(parameters, "limit") ?? TicketQuery.defaultLimit
        return query
    }

    static func period(_ parameters: FlatDictionary<Substring, Substring>, now: Date = Date()) throws(SupportError) -> (Date?, Date?) {
        let since = try single(parameters, "since").map { text throws(SupportError) in try DateInput.parse(text, now: now, field: "since") }
        let until = try single(parameters, "until").map { text throws(SupportError) in
            try DateInput.parse(text, now: now, bound: .end, field: "until")
        }
        return (since, until)
    }

    static func values(_ parameters: FlatDictionary<Substring, Substring>, _ key: Substring) -> [String] {
        parameters[values: key].flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func single(_ parameters: FlatDictionary<Substring, Substring>, _ key: Substring) -> String? {
        parameters[values: key].last.map(String.init)
    }

    static func integer(_ parameters: FlatDictionary<Substring, Substring>, _ key: Substring) throws(SupportError) -> Int? {
        guard let text = single(parameters, key) else { return nil }
        guard text.count <= 9, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text) else {
            throw .invalidInput(field: String(key), "\(key) must be a whole number")
        }
        return n
    }
}

/// The first key given twice in one object of a JSON text (`{"status":"open","status":"closed"}`),
/// or nil. JSONDecoder keeps one of the two silently; a client that sends both meant something
/// the server cannot know, so the body is refused. Runs on text JSONDecoder already accepted.
enum DuplicateJSONKeys {
    static func first(in bytes: Data) -> String? {
        struct Frame { var isObject: Bool; var keys: Set<String> = []; var expectsKey: Bool }
        var stack: [Frame] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < bytes.endIndex, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                if var top = stack.last, top.isObject, top.expectsKey {
                    let raw = bytes[start...min(index, bytes.endIndex - 1)]
                    // Escapes are resolved, so "a" and "\u0061" are the same key.
                    let key = raw.contains(UInt8(ascii: "\\"))
                        ? (try? JSONDecoder().decode(String.self, from: Data(raw))) ?? String(decoding: raw, as: UTF8.self)
                        : String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
                    if !top.keys.insert(key).inserted { return key }
                    top.expectsKey = false
                    stack[stack.count - 1] = top
                }
            case UInt8(ascii: "{"): stack.append(Frame(isObject: true, expectsKey: true))
            case UInt8(ascii: "["): stack.append(Frame(isObject: false, expectsKey: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = stack.popLast()
            case UInt8(ascii: ","): if stack.last?.isObject == true { stack[stack.count - 1].expectsKey = true }
            default: break
            }
            index += 1
        }
        return nil
    }
}
