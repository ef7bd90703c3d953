/// Tells mail written by a machine (autoresponders, lists, bounces) from mail a person wrote,
/// so the desk never answers a machine (RFC 3834 §2) and an out-of-office never changes a ticket.
enum AutomaticMailClassifier {
    struct Verdict: Equatable {
        var isAutomatic = false
        var isOutOfOffice = false
        var reason: String?
    }

    /// Subject openings of vacation and out-of-office replies (Exchange, Gmail, Thunderbird's
    /// vacation filter, in the languages the desk meets most).
    private static let outOfOfficeSubjects = [
        "out of office", "automatic reply", "auto reply", "autoreply", "auto-reply", "auto response",
        "vacation reply", "away from", "abwesenheitsnotiz", "automatische antwort", "abwesend",
        "réponse automatique", "absence du bureau", "respuesta automática", "fuera de la oficina",
        "risposta automatica", "automatisch antwoord", "afwezig",
    ]

    static func classify(headers: [MailHeaderField], subject: String, isDeliveryReport: Bool) -> Verdict {
        var verdict = Verdict()
        func automatic(_ reason: String, outOfOffice: Bool = false) {
            if !verdict.isAutomatic { verdict.reason = reason }
            verdict.isAutomatic = true
            if outOfOffice { verdict.isOutOfOffice = true }
        }
        let lowerSubject = subject.lowercased()
        let subjectSaysAway = outOfOfficeSubjects.contains { lowerSubject.hasPrefix($0) }

        if isDeliveryReport { automatic("delivery status report") }
        if let value = headers.first(named: "Auto-Submitted") {
            let keyword = value.split(separator: ";").first.map { $0.trimmingBlanks().lowercased() } ?? ""
            if keyword != "no" && !keyword.isEmpty {
                automatic("Auto-Submitted: \(TextDecoding.oneLine(keyword).prefix(40))", outOfOffice: keyword == "auto-replied")
            }
        }
        if let name = ["X-Autoreply", "X-Autorespond", "X-Autoresponse", "X-Vacation"].first(where: { headers.first(named: $0) != nil }) {
            automatic(name, outOfOffice: true)
        }
        if let value = headers.first(named: "X-Auto-Response-Suppress") {
            // Exchange stamps its out-of-office replies with it (and with subject "Automatic reply:").
            automatic("X-Auto-Response-Suppress: \(TextDecoding.oneLine(value).prefix(40))", outOfOffice: true)
        }
        if let value = headers.first(named: "Precedence")?.trimmingBlanks().lowercased(),
           ["bulk", "junk", "list", "auto_reply"].contains(value) {
            automatic("Precedence: \(value)", outOfOffice: value == "auto_reply")
        }
        if headers.first(named: "List-Id") != nil { automatic("List-Id") }
        if headers.first(named: "List-Unsubscribe") != nil && headers.first(named: "List-Id") == nil {
            automatic("List-Unsubscribe")
        }
        for field in ["From", "Sender", "Return-Path"] {
            for address in MailAddressParser.parse(headers.first(named: field)) {
                let local = address.email.split(separator: "@").first.map { $0.lowercased() } ?? ""
                if ["mailer-daemon", "postmaster"].contains(local) {
                    automatic("sender \(local)")
                }
            }
        }
        if field(headers, "Return-Path") == "<>" { automatic("null Return-Path") }
        if verdict.isAutomatic && subjectSaysAway { verdict.isOutOfOffice = true }
        return verdict
    }

    private static func field(_ headers: [MailHeaderField], _ name: String) -> String? {
        headers.first(named: name)?.trimmingBlanks()
    }
}
