import Testing

@testable import SupportCore

@Suite("MailIn: address lists")
struct MailAddressParserTests {
    @Test func displayNamesInEveryShape() {
        #expect(MailAddressParser.parse("Jane Doe <jane@x.example>") == [MailAddress(name: "Jane Doe", email: "jane@x.example")])
        #expect(MailAddressParser.parse("\"Doe, Jane\" <jane@x.example>") == [MailAddress(name: "Doe, Jane", email: "jane@x.example")])
        #expect(MailAddressParser.parse("\"Jane \\\"JD\\\" Doe\" <jane@x.example>") == [MailAddress(name: "Jane \"JD\" Doe", email: "jane@x.example")])
        #expect(MailAddressParser.parse("jane@x.example (Jane Doe)") == [MailAddress(name: "Jane Doe", email: "jane@x.example")])
        #expect(MailAddressParser.parse("<jane@x.example>") == [MailAddress(name: nil, email: "jane@x.example")])
        #expect(MailAddressParser.parse("jane@x.example") == [MailAddress(name: nil, email: "jane@x.example")])
        #expect(MailAddressParser.parse("=?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <jm@x.example>")
            == [MailAddress(name: "Jürgen Müller", email: "jm@x.example")])
        // Encoded-word inside quotes, which Outlook and others send although RFC 2047 forbids it
        #expect(MailAddressParser.parse("\"=?ISO-8859-1?Q?Andr=E9?= Pirard\" <pirard@x.example>")
            == [MailAddress(name: "André Pirard", email: "pirard@x.example")])
        #expect(MailAddressParser.parse("Jane (work) Doe <jane@x.example>") == [MailAddress(name: "Jane Doe", email: "jane@x.example")])
    }

    @Test func severalAddressesAndGroups() {
        let list = MailAddressParser.parse("a@x.example, \"B, Bee\" <b@x.example>,\r\n C <c@x.example>")
        #expect(list.map(\.email) == ["a@x.example", "b@x.example", "c@x.example"])
        let group = MailAddressParser.parse("Team: a@x.example, Bo <b@x.example>; c@x.example, undisclosed-recipients:;")
        #expect(group.map(\.email) == ["a@x.example", "b@x.example", "c@x.example"])
        #expect(group[1].name == "Bo")
    }

    @Test func invalidEntriesAreSkipped() {
        let list = MailAddressParser.parse("not an address, <>, @x.example, jane@, ok@x.example, <bad <nested@x>>, x@y z")
        #expect(list.map(\.email) == ["ok@x.example"])
        #expect(MailAddressParser.parse("") == [])
        #expect(MailAddressParser.parse(nil) == [])
        // A source route is dropped
        #expect(MailAddressParser.parse("<@relay.example:jane@x.example>").map(\.email) == ["jane@x.example"])
    }
}
