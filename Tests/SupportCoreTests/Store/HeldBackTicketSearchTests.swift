import Foundation
import GRDB
import Testing
@testable import SupportCore

/// A mail batch holds back the search indexing of its new tickets only when the schema's
/// `ticket_search_insert` is the trigger it mirrors (HeldBackTicketSearch); a migration that
/// changes the trigger without changing the mirror would quietly make every batch slow again.
@Suite("mail batches: the search trigger they hold back")
struct HeldBackTicketSearchTests {
    @Test func theMigratedSchemaHasTheTriggerABatchMirrors() throws {
        // Given a database migrated to the current schema
        let fixture = try DeskFixture()
        // When its trigger is read as SQLite keeps it
        let stored = try fixture.database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'ticket_search_insert'")
        }
        // Then it is the text a batch drops, indexes for, and puts back
        #expect(stored == HeldBackTicketSearch.trigger)
    }

    @Test func aBatchLeavesTheSchemaAsItWasAndEveryNewTicketSearchable() throws {
        // Given a desk and its schema
        let fixture = try DeskFixture()
        let schema = { try fixture.database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master ORDER BY name").map { "\($0)" }
        } }
        let before = try schema()
        // When a batch opens two tickets by mail, one of them replied to in the same batch
        var messages = [
            "From: Bo <bo@cust.test>\nSubject: Scanner\nMessage-ID: <bo1@cust.test>\n\nquasarword one\n",
            "From: Bo <bo@cust.test>\nSubject: Re: Scanner\nMessage-ID: <bo2@cust.test>\nIn-Reply-To: <bo1@cust.test>\n\nnebulaword two\n",
            "From: Cy <cy@cust.test>\nSubject: Printer\nMessage-ID: <cy1@cust.test>\n\npulsarword three\n",
        ].map { Array($0.utf8) }
        var records: [InboundRecord] = []
        try fixture.desk(nil).ingest(from: { () throws(SupportError) in
            messages.isEmpty ? nil : (source: 0, bytes: messages.removeFirst(), size: 0)
        }, committed: { batch in records += batch.map(\.record) })
        // Then the schema is as it was, the indexes are whole, and each word finds its ticket
        #expect(records.map(\.outcome) == [.created, .replied, .created])
        let bo = try #require(records[0].ticketNumber), cy = try #require(records[2].ticketNumber)
        #expect(records[1].ticketNumber == bo)
        #expect(try schema() == before)
        try SearchNotesTests.expectIndexesIntact(fixture)
        try SearchLengthsTests.expectExact(fixture)
        #expect(try SearchNotesTests.search(fixture, "quasarword", as: nil).map(\.description) == [bo])
        #expect(try SearchNotesTests.search(fixture, "nebulaword", as: nil).map(\.description) == [bo])
        #expect(try SearchNotesTests.search(fixture, "pulsarword", as: nil).map(\.description) == [cy])
    }
}
