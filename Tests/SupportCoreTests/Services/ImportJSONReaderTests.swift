import Foundation
import Testing
@testable import SupportCore

/// `ImportJSONReader` replaced `JSONDecoder` for import lines: on every line it must give the
/// same ticket, or the same message, as `JSONDecoder` did (the reference below is the code it
/// replaced), with one improvement: a line that is JSON but not an object is "not a JSON object".
@Suite("ticket import: the JSON reader")
struct ImportJSONReaderTests {
    /// What `ImportParser` did before the reader: `JSONDecoder`, and its errors put into words.
    static func reference(_ text: String) -> Result<ImportedTicket, SupportError> {
        do {
            return .success(try JSONDecoder().decode(ImportedTicket.self, from: Data(text.utf8)))
        } catch let DecodingError.keyNotFound(key, _) {
            return .failure(.invalidInput(field: key.stringValue, "missing \(key.stringValue)"))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return .failure(.invalidInput(field: path, "\(path) has the wrong type"))
        } catch {
            return .failure(.invalidInput(field: nil, "not a JSON object"))
        }
    }

    static func read(_ text: String) -> Result<ImportedTicket, SupportError> {
        Result { () throws(SupportError) in try ImportJSONReader.ticket(text) }
    }

    static let person = #"{"email":"a@example.test","name":"A","role":"internal"}"#
    static let base = #""subject":"s","message":"m","category":"bug-report","submittedBy":\#(person)"#

    /// Lines that must read exactly as JSONDecoder read them.
    static let corpus: [String] = [
        "{\(base)}",
        // every field, nulls for optional ones, unknown keys of every kind
        #"{"ticketNumber":"ST-2024-001",\#(base),"priority":"High","status":null,"assignedTo":null,"responses":[],"attachments":[],"createdAt":"2024-01-01T00:00:00.000Z","updatedAt":null,"resolvedAt":null,"closedAt":null,"extra":{"a":[1,2.5e-3,{"b":null}],"c":true,"d":"x"}}"#,
        #"{\#(base),"responses":[{"id":7,"message":"r","respondedBy":\#(person),"isInternal":true,"createdAt":"2024-01-01T00:00:00Z","x":[]},{"message":"q","respondedBy":{"email":"b@example.test"},"id":null,"isInternal":null}]}"#,
        // escapes: quotes, backslash, slash, controls, BMP and astral characters, surrogate pairs
        #"{"subject":"\"q\" \\ \/ \b\f\n\r\t \u00e9\u4e2D \ud83d\ude00 \uD83D\uDCA5 ünï 💥","message":"line\u000Aline","category":"bug-report","submittedBy":\#(person)}"#,
        // white space everywhere JSON allows it
        " \t{ \"subject\" : \"s\" ,\r\n \"message\":\"m\", \"category\" : \"bug-report\" , \"submittedBy\" : { \"email\" : \"a@example.test\" } } \t",
        // missing keys, in declaration order
        #"{"message":"m","category":"bug-report","submittedBy":\#(person)}"#,
        #"{"subject":"s","category":"bug-report"}"#,
        #"{"subject":"s","message":"m","category":"bug-report","submittedBy":{"name":"x"}}"#,
        #"{\#(base),"responses":[{"message":"r","respondedBy":{"name":"n"}}]}"#,
        #"{\#(base),"responses":[{"respondedBy":\#(person)}]}"#,
        #"{}"#,
        // wrong types and nulls where a value is required, at every depth
        #"{"subject":42,"message":"m","category":"bug-report","submittedBy":\#(person)}"#,
        #"{"subject":null,"message":"m","category":"bug-report","submittedBy":\#(person)}"#,
        #"{"subject":"s","message":["m"],"category":"bug-report","submittedBy":\#(person)}"#,
        #"{"subject":"s","message":"m","category":"bug-report","submittedBy":"a@example.test"}"#,
        #"{"subject":"s","message":"m","category":"bug-report","submittedBy":{"email":5}}"#,
        #"{"subject":"s","message":"m","category":"bug-report","submittedBy":{"email":"a@example.test","name":false}}"#,
        #"{\#(base),"assignedTo":7}"#,
        #"{\#(base),"responses":{}}"#,
        #"{\#(base),"responses":[null]}"#,
        #"{\#(base),"responses":[{"message":"r","respondedBy":\#(person)},3]}"#,
        #"{\#(base),"responses":[{"message":"r","respondedBy":\#(person),"isInternal":"yes"}]}"#,
        #"{\#(base),"responses":[{"message":"r","respondedBy":\#(person),"id":"7"}]}"#,
        #"{\#(base),"responses":[{"message":"r","respondedBy":\#(person),"createdAt":1}]}"#,
        #"{\#(base),"attachments":["a.txt",3]}"#,
        #"{\#(base),"attachments":"a.txt"}"#,
        #"{\#(base),"createdAt":20240101}"#,
        // the first problem in declaration order wins over a later one, whatever the order in the line
        #"{"closedAt":1,"submittedBy":{"email":5},"subject":42}"#,
        #"{"message":5,"category":"bug-report","submittedBy":\#(person)}"#,
        // not JSON at all
        "",
        "{",
        #"{"subject": "unterminated"#,
        #"{"subject":"s" "message":"m"}"#,
        "{\(base)} trailing",
        "{\(base)}{}",
        #"{"subject":"bad \x escape","message":"m","category":"bug-report","submittedBy":\#(person)}"#,
        #"{"subject":"lone \ud83d surrogate","message":"m","category":"bug-report","submittedBy":\#(person)}"#,
        #"{"subject":"lone \ude00 low","message":"m","category":"bug-report","submittedBy":\#(person)}"#,
        #"{"subject":"short \u12","message":"m","category":"bug-report","submittedBy":\#(person)}"#,
        "{\"subject\":\"raw\ttab\",\"message\":\"m\",\"category\":\"bug-report\",\"submittedBy\":\(person)}",
        #"{\#(base),"x":tru}"#,
        #"{\#(base),"x":nul}"#,
        #"{\#(base),"x":'s'}"#,
        "{\(base),\"x\":\(String(repeating: "[", count: 600))\(String(repeating: "]", count: 600))}",
    ]

    @Test(arguments: corpus)
    func readsAsJSONDecoderDid(_ line: String) {
        let ours = Self.read(line), theirs = Self.reference(line)
        switch (ours, theirs) {
        case (.success(let a), .success(let b)):
            #expect(a == b)
        case (.failure(let a), .failure(let b)):
            #expect(a.message == b.message, "\(line)")
        default:
            Issue.record("reader: \(ours)\nJSONDecoder: \(theirs)\nline: \(line)")
        }
    }

    @Test func malformedJSONThatJSONDecoderLetThroughIsRefused() {
        // (JSONDecoder allows a comma before a closing bracket, and reads the numbers of keys it
        // ignores only if asked: these lines were imported before, though none is JSON.)
        for line in [#"{\#(Self.base),}"#, #"{\#(Self.base),"x":01}"#, #"{\#(Self.base),"x":-}"#, #"{\#(Self.base),"x":1.}"#,
                     #"{\#(Self.base),"x":[1,]}"#, #"{\#(Self.base),"x":{"a":1,}}"#] {
            guard case .failure(let error) = Self.read(line) else {
                Issue.record("\(line) was read")
                continue
            }
            #expect(error.message == "not a JSON object", "\(line)")
        }
    }

    @Test func jsonThatIsNotAnObjectIsNotAJSONObject() {
        for line in ["[1, 2, 3]", "42", "\"text\"", "null", "true"] {
            guard case .failure(let error) = Self.read(line) else {
                Issue.record("\(line) was read")
                continue
            }
            #expect(error.message == "not a JSON object", "\(line)")
        }
    }

    @Test func everyEscapedCharacterComesOutAsJSONSerializationWroteIt() throws {
        // Given text with every kind of character, written by JSONSerialization (which escapes
        // controls as \u00XX and leaves the rest)
        var scalars = (0..<0x250).compactMap(Unicode.Scalar.init).map(String.init).joined()
        scalars += "\u{2028}\u{FEFF}\u{1F4A5}\u{10FFFF}"
        let object: [String: Any] = ["subject": scalars, "message": "m", "category": "bug-report", "submittedBy": ["email": "a@example.test"]]
        let line = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        // When it is read
        let ticket = try ImportJSONReader.ticket(line)
        // Then every character is back
        #expect(ticket.subject == scalars)
    }

    @Test func theFormEveryExportPrintsIsReadAsFoundationReadsIt() throws {
        // Given times from 1970 to 2105, with and without milliseconds, and the edges of months and years
        var generator = SystemRandomNumberGenerator()
        var texts = ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2105-12-31T23:59:59.999Z",
                     "2000-02-29T12:00:00.5Z", "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
                     "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z",
                     "1969-12-31T23:59:59Z", "2106-01-01T00:00:00Z", "2024-01-01T00:00:00+01:00", "2024-01-01 00:00:00Z",
                     "2024-01-01T00:00:00.1234Z", "2024-01-01T00:00:00z"]
        for _ in 0..<2000 {
            let ms = Int64.random(in: 0..<4_291_747_200_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let text = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            texts.append(text)
            texts.append(String(text.dropLast(5)) + "Z")
        }
        // Times the calendar does not have, which Foundation normalises (February 30 into March,
        // hour 24 and second 60 into the next day or minute): an import refuses them (issue 13).
        let impossible: Set = ["2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-04-31T00:00:00Z",
                               "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z"]
        for text in texts {
            // When each is read by hand and by Foundation (the code the fast path stands in front of)
            let foundation = (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
                ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
            let ours = ISO8601.milliseconds(exactUTC: text).map(ISO8601.date(milliseconds:))
            // Then the hand reading, when it reads at all, gives the very Date that Foundation's, snapped, gives
            if let ours {
                #expect(ours == foundation.map(ISO8601.snappedToMillisecond), "\(text)")
            }
            let imported = (try? ImportParser.date(text, field: "createdAt")) ?? nil
            if impossible.contains(text) {
                #expect(imported == nil, "\(text) was read")
            } else {
                // And the import reads every real time as Foundation reads it
                #expect(imported == foundation.map(ISO8601.snappedToMillisecond), "\(text)")
            }
        }
    }

    @Test func datesAreStoredAsGRDBStoresThem() {
        // Given imported (millisecond) times from 1970 to 2105, and times with sub-millisecond parts
        var generator = SystemRandomNumberGenerator()
        var dates = [ISO8601.date(milliseconds: 0), ISO8601.date(milliseconds: 4_294_967_295_999), fixedNow, Date(),
                     Date(timeIntervalSince1970: -1.5), Date(timeIntervalSince1970: 5_000_000_000.25)]
        for _ in 0..<5000 {
            dates.append(ISO8601.date(milliseconds: Int64.random(in: 0..<4_294_967_296_000, using: &generator)))
            dates.append(Date(timeIntervalSince1970: Double.random(in: 0..<4_294_967_296, using: &generator)))
        }
        // Then the import's text for each is GRDB's
        for date in dates {
            #expect(RawStatement.storedText(date) == String.fromDatabaseValue(date.databaseValue), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func theYearOfADateIsTheCalendarsYear() {
        var generator = SystemRandomNumberGenerator()
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_704_067_199.999), Date(timeIntervalSince1970: 1_704_067_200)]
        for _ in 0..<5000 { dates.append(Date(timeIntervalSince1970: Double.random(in: 0..<253_402_300_799, using: &generator))) }
        for date in dates {
            #expect(CivilDate.utcYear(of: date) == Calendar.utc.component(.year, from: date), "\(date.timeIntervalSince1970)")
        }
    }
}
