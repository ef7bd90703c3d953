import Foundation
import Testing
@testable import SupportCore

@Suite("JSONRenderer")
struct JSONRendererTests {
    static let jane = Person(email: "jane@example.test", name: "Jane", role: .user)
    static let sam = Person(email: "sam@example.test", name: "Sam", role: .internal)

    static func ticket(responses: [TicketResponse] = [], assigned: Person? = nil, resolved: Date? = nil) -> Ticket {
        Ticket(id: 1, ticketNumber: TicketNumber(year: 2026, sequence: 7), subject: "Printer \"on\" fire", message: "Line 1\nLine 2",
               category: .technicalIssue, priority: .high, status: .inProgress, submittedBy: jane, assignedTo: assigned,
               responses: responses, createdAt: fixedNow, updatedAt: fixedNow.addingTimeInterval(0.25), resolvedAt: resolved)
    }

    @Test func aTicketHasEverySeedKeyInOrderWithNulls() {
        // Given a new, unassigned ticket
        // When rendered
        let json = JSONRenderer.ticket(Self.ticket())
        // Then it is the seed's shape, in the seed's order, with absent values as null
        #expect(json == """
            {
              "ticket": {
                "ticketNumber": "ST-2026-007",
                "subject": "Printer \\"on\\" fire",
                "message": "Line 1\\nLine 2",
                "category": "Technical Issue",
                "priority": "High",
                "status": "In Progress",
                "submittedBy": {
                  "email": "jane@example.test",
                  "name": "Jane",
                  "role": "user"
                },
                "assignedTo": null,
                "responses": [],
                "attachments": [],
                "createdAt": "2026-03-14T15:09:26.000Z",
                "updatedAt": "2026-03-14T15:09:26.250Z",
                "resolvedAt": null,
                "closedAt": null
              }
            }
            """)
    }

    @Test func responsesAndPeopleAreObjects() throws {
        let reply = TicketResponse(id: 9, message: "On it", respondedBy: Self.sam, isInternal: true, createdAt: fixedNow)
        let json = JSONRenderer.value(Self.ticket(responses: [reply], assigned: Self.sam, resolved: fixedNow)).serialized(pretty: false)
        #expect(json.contains(#""assignedTo":{"email":"sam@example.test","name":"Sam","role":"internal"}"#))
        let number = Self.ticket().ticketNumber.description
        #expect(json.contains(#""responses":[{"id":9,"ticketNumber":"\#(number)","message":"On it","respondedBy":{"email":"sam@example.test","name":"Sam","role":"internal"},"isInternal":true,"createdAt":"2026-03-14T15:09:26.000Z"}]"#))
        #expect(json.contains(#""resolvedAt":"2026-03-14T15:09:26.000Z","closedAt":null"#))
        #expect(JSONRenderer.response(reply, on: Self.ticket().ticketNumber)
            .hasPrefix("{\n  \"response\": {\n    \"id\": 9,\n    \"ticketNumber\": \"\(number)\","))
    }

    @Test func aPageCarriesPagination() throws {
        let page = TicketPage(tickets: [Self.ticket()], total: 51, page: 3, limit: 25)
        let object = try JSONSerialization.jsonObject(with: Data(JSONRenderer.page(page).utf8)) as? [String: Any]
        let pagination = object?["pagination"] as? [String: Int]
        #expect(pagination == ["total": 51, "page": 3, "limit": 25, "pages": 3])
        #expect((object?["tickets"] as? [Any])?.count == 1)
        #expect(JSONRenderer.page(TicketPage(tickets: [], total: 0, page: 1, limit: 25)).contains(#""pages": 0"#))
    }

    @Test func successAndSettings() {
        #expect(JSONRenderer.success() == "{\n  \"success\": true\n}")
        let settings = JSONRenderer.settings([.supportAutoResponse: "true", .ticketRateLimitPerHour: "3", .supportEmail: ""])
        // Typed values, in the order of SettingKey.
        #expect(settings == "{\n  \"support_email\": \"\",\n  \"support_auto_response\": true,\n  \"ticket_rate_limit_per_hour\": 3\n}")
    }

    @Test func errorsAreTheSeedsAPIErrorOnOneLine() {
        #expect(JSONRenderer.error(.invalidInput(field: "subject", "subject must not be empty"))
            == #"{"error":"subject must not be empty","code":"INVALID_INPUT","details":{"field":"subject"}}"#)
        #expect(JSONRenderer.error(.notFound("no ticket ST-2026-001"))
            == #"{"error":"no ticket ST-2026-001","code":"NOT_FOUND","details":null}"#)
        #expect(JSONRenderer.error(.rateLimited("slow down", retryAfter: fixedNow))
            == #"{"error":"slow down","code":"RATE_LIMITED","details":{"retryAfter":"2026-03-14T15:09:26.000Z"}}"#)
        #expect(!JSONRenderer.error(.internalError("a\nb")).contains("\n"))
    }

    @Test func everyErrorClassHasItsCodeAndExitStatus() {
        let table: [(SupportError, String, Int32)] = [
            (.invalidInput(field: nil, "x"), "INVALID_INPUT", 65), (.notFound("x"), "NOT_FOUND", 66),
            (.unknownActor("x"), "UNAUTHORIZED", 67), (.forbidden("x"), "FORBIDDEN", 77),
            (.rateLimited("x", retryAfter: fixedNow), "RATE_LIMITED", 75), (.busy("x"), "BUSY", 75),
            (.storage("x"), "DATABASE_ERROR", 74), (.configuration("x"), "CONFIGURATION_ERROR", 78),
            (.internalError("x"), "INTERNAL_ERROR", 70),
        ]
        for (error, code, status) in table {
            #expect(error.code == code)
            #expect(error.exitCode == status)
        }
    }

    @Test func stringsEscapeEveryControlCharacter() {
        let text = "q\" b\\ nl\n cr\r tab\t bs\u{8} ff\u{C} esc\u{1B} nul\u{0} del\u{7F} c1\u{9B} ls\u{2028} ps\u{2029} é✓"
        let json = JSONValue.string(text).serialized(pretty: false)
        #expect(json == #""q\" b\\ nl\n cr\r tab\t bs\b ff\f esc\u001b nul\u0000 del\u007f c1\u009b ls\u2028 ps\u2029 é✓""#)
        // And it reads back as the same text.
        let decoded = try? JSONSerialization.jsonObject(with: Data("[\(json)]".utf8)) as? [String]
        #expect(decoded == [text])
    }

    @Test func emptyContainersAreCompact() {
        #expect(JSONValue.object([("a", .array([])), ("b", .object([]))]).serialized(pretty: true) == "{\n  \"a\": [],\n  \"b\": {}\n}")
    }
}
