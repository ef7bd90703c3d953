import Testing
@testable import SupportCore

/// The core's errors name fields, never flags: each front end words them its own way.
struct WordingTests {
    let flags = Wording.Naming(showsCommandLineText: true) { field, placeholder in
        "--" + field + (placeholder.map { " " + $0 } ?? "")
    }

    @Test func fieldsAreNamedByTheFrontEnd() {
        // Given words that name two fields and carry advice for a shell
        let words: Wording = "\(field: "requesterName") needs \(field: "requesterEmail", placeholder: "EMAIL")\(commandLine: " (see --help)", otherwise: " (see the API document)")"
        // Then the API reads SPEC's fields, the command line its flags and its own advice
        #expect(words.text(.fields) == "requesterName needs requesterEmail (see the API document)")
        #expect(words.text(flags) == "--requesterName needs --requesterEmail EMAIL (see --help)")
        #expect(words.description == words.text(.fields))
    }

    @Test func wordsEqualWhatTheySayHoweverBuilt() {
        // Given the same sentence written out and put together by interpolation
        let count = 3
        let built: Wording = "at most \(count) tickets \("per hour")"
        // Then they are equal (errors are compared in tests and by callers)
        #expect(built == "at most 3 tickets per hour")
        #expect(Wording("") == Wording(stringLiteral: ""))
        // But a field is not the same as its name written as text
        #expect(("\(field: "limit") is wrong" as Wording) != "limit is wrong")
    }

    @Test func everyErrorOfTheCoreNamesFieldsInItsMessage() throws {
        // Given a core error about a paging field
        let fixture = try DeskFixture()
        var query = TicketQuery()
        query.page = 0
        let error = failure { _ = try fixture.operatorDesk.listTickets(query) }
        // Then no flag is in what the API shows, and the command line's naming gives the flag
        #expect(error?.message == "page must be from 1 to 10000000")
        #expect(error?.message(naming: flags) == "--page must be from 1 to 10000000")
    }
}
