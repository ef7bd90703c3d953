import Foundation

extension HelpDesk {
    /// A ticket as a person types it: `ST-2026-042`, or the short forms `42` and `#42` (gh's),
    /// which name this year's 42nd ticket, else the only ticket the actor can see whose sequence
    /// is 42. A short form that fits several tickets is refused with the candidates (65); one
    /// that fits none is "not found" (66). The full form is only parsed, not looked up, so that
    /// the history of a deleted ticket can still be named.
    public func ticketReference(_ text: String, now: Date = Date()) throws(SupportError) -> TicketNumber {
        if let number = TicketNumber.parseCanonical(text) { return number }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasPrefix("#") ? String(trimmed.dropFirst()) : trimmed
        guard !digits.isEmpty, digits.count <= 9, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let sequence = Int(digits), sequence >= 1
        else {
            return try TicketNumber.parse(text)
        }
        let thisYear = CivilDate.utcYear(of: now) ?? Calendar.utc.component(.year, from: now)
        var visible: [TicketNumber] = []
        for number in try database.ticketNumbers(withSequence: sequence, upTo: thisYear + 1) {
            guard let ticket = try database.ticket(number: number, withResponses: false), canSee(ticket) else { continue }
            if number.year == thisYear { return number }
            visible.append(number)
        }
        switch visible.count {
        case 0:
            throw .notFound("no ticket \(Validation.printable(trimmed)) (looked for \(TicketNumber(year: thisYear, sequence: sequence)) and every year's \(sequence))")
        case 1:
            return visible[0]
        default:
            let names = visible.map(\.description)
            let choices = names.dropLast().joined(separator: ", ") + " or " + names.last!
            throw .invalidInput(field: "ticket", "'\(Validation.printable(trimmed))' could be \(choices); give the whole number")
        }
    }
}
