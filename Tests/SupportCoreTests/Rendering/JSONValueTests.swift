import Foundation
import Testing
@testable import SupportCore

@Suite("JSONValue escaping")
struct JSONValueTests {
    @Test(arguments: [
        "plain", "", "quote \" and backslash \\", "line\nbreak\r\ttab", "esc \u{1B}[31mred\u{1B}[0m", "nul \u{0}",
        "del \u{7F}", "c1 \u{85} \u{9B}", "separators \u{2028} \u{2029}", "euro € and dash – (E2 lead bytes)",
        "é à ü (C3 lead bytes)", "\u{A0} no-break (C2 A0)", "emoji 👩🏽‍💻 and 漢字", "trailing \u{1B}",
    ])
    func stringsRoundTripThroughAJSONParser(text: String) throws {
        // Given a string with characters that must or must not be escaped
        // When it is serialized
        let json = JSONValue.object([("s", .string(text))]).serialized(pretty: false)
        // Then a JSON parser reads back exactly the same text
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(parsed?["s"] == text)
        // And no raw control character, C1 control or line separator reaches the output
        #expect(!json.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" })
    }

    @Test func prettyOutputKeepsTheGivenKeyOrder() {
        // Given an object with keys out of alphabetical order
        let value = JSONValue.object([("b", .int(1)), ("a", .array([])), ("c", .object([("z", .null), ("y", .bool(true))]))])
        // When it is serialized pretty
        // Then keys keep their order and empty arrays stay compact
        #expect(value.serialized(pretty: true) == "{\n  \"b\": 1,\n  \"a\": [],\n  \"c\": {\n    \"z\": null,\n    \"y\": true\n  }\n}")
    }
}
