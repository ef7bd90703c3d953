import Testing
@testable import SupportCore

@Suite("SeedEnum parsing")
struct SeedEnumTests {
    @Test(arguments: [
        "technical-issue", "Technical Issue", "TECHNICAL_ISSUE", "technical issue", "  Technical-Issue  ", "tEcHnIcAl_IsSuE",
    ])
    func categoryInEitherSpelling(_ text: String) throws {
        #expect(try TicketCategory.parse(text) == .technicalIssue)
    }

    @Test func everyCaseParsesFromItsTitleAndSlug() throws {
        for c in TicketCategory.allCases {
            #expect(try TicketCategory.parse(c.title) == c)
            #expect(try TicketCategory.parse(c.slug) == c)
            #expect(try TicketCategory.parse(c.title.uppercased().replacingOccurrences(of: " ", with: "_")) == c)
        }
        for p in TicketPriority.allCases {
            #expect(try TicketPriority.parse(p.title) == p)
            #expect(try TicketPriority.parse(p.slug.uppercased()) == p)
        }
        for s in TicketStatus.allCases {
            #expect(try TicketStatus.parse(s.title) == s)
            #expect(try TicketStatus.parse(s.slug) == s)
        }
        for r in Role.allCases {
            #expect(try Role.parse(r.rawValue.uppercased()) == r)
        }
    }

    @Test func seedSpellingsAndSlugs() {
        #expect(TicketCategory.allCases.map(\.title) == ["Technical Issue", "Account Issue", "Feature Request", "General Inquiry", "Bug Report"])
        #expect(TicketCategory.allCases.map(\.slug) == ["technical-issue", "account-issue", "feature-request", "general-inquiry", "bug-report"])
        #expect(TicketPriority.allCases.map(\.title) == ["Low", "Medium", "High", "Critical"])
        #expect(TicketStatus.allCases.map(\.title) == ["Open", "In Progress", "Resolved", "Closed"])
        #expect(TicketStatus.inProgress.slug == "in-progress")
        #expect(TicketPriority.low < TicketPriority.critical)
    }

    @Test(arguments: ["", "bug", "technicalissue", "technical--issue", "Technical Issue!", "1", "urgent", "\u{1B}[31m"])
    func unknownCategoryListsTheChoices(_ text: String) {
        // Given a category that is none of the five
        // When parsed
        let error = failure { _ = try TicketCategory.parse(text) }
        // Then the error names the field and lists the accepted slugs, without raw control characters
        #expect(error?.exitCode == 65)
        #expect(error?.message.contains("technical-issue, account-issue, feature-request, general-inquiry, bug-report") == true)
        #expect(error?.message.contains("\u{1B}") == false)
        if case .invalidInput(let field, _)? = error { #expect(field == "category") }
    }

    @Test(arguments: ["urgent", "0", "medium-high", "in progress"])
    func unknownPriority(_ text: String) {
        #expect(failure { _ = try TicketPriority.parse(text) }?.message.hasPrefix("unknown priority") == true)
    }

    @Test(arguments: ["pending", "done", "reopened", "inprogress", "superuser", ""])
    func unknownStatusOrRole(_ text: String) {
        #expect(failure { _ = try TicketStatus.parse(text) }?.exitCode == 65)
        #expect(failure { _ = try Role.parse(text) }?.exitCode == 65)
    }
}
