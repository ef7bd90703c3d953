import Testing

@testable import SupportCore

@Suite("MailIn: cutting quoted history and signatures")
struct QuoteCutterTests {
    @Test func thunderbird() {
        let text = """
            Thanks, that fixed it.

            On 12/5/26 9:00 AM, Jane Doe wrote:
            > Please restart the spooler.
            >
            > Jane

            """
        #expect(QuoteCutter.reply(from: text) == "Thanks, that fixed it.")
    }

    @Test func gmailOnOneLineAndWrapped() {
        let oneLine = """
            Still broken.

            On Sat, Dec 5, 2026 at 9:00 AM Jane <j@x.example> wrote:

            > Please restart the spooler.
            """
        #expect(QuoteCutter.reply(from: oneLine) == "Still broken.")
        let wrapped = """
            Still broken.

            On Sat, Dec 5, 2026 at 9:00 AM Jane Doe from the Support Desk <
            support@desk.example> wrote:

            > Please restart the spooler.
            """
        #expect(QuoteCutter.reply(from: wrapped) == "Still broken.")
    }

    @Test func outlookOriginalMessage() {
        let text = """
            Done, see attached.

            Regards
            Bob

            -----Original Message-----
            From: Support Desk <support@desk.example>
            Sent: Saturday, December 5, 2026 9:00 AM
            To: Bob <bob@x.example>
            Subject: [ST-2026-001] Printer

            Please restart the spooler.
            """
        #expect(QuoteCutter.reply(from: text) == "Done, see attached.\n\nRegards\nBob")
    }

    @Test func outlookHeaderBlockAfterARule() {
        let text = """
            Works now.

            ________________________________
            From: Support Desk <support@desk.example>
            Sent: Saturday, December 5, 2026 09:00
            To: Bob
            Subject: RE: [ST-2026-001] Printer

            Please restart the spooler.
            """
        #expect(QuoteCutter.reply(from: text) == "Works now.")
        // And Outlook's HTML turned into text (bold field names) without a rule
        let bold = "Works now.\n\n*From:* Support Desk <support@desk.example>\n*Sent:* Saturday\n*To:* Bob\n*Subject:* x\n\nold"
        #expect(QuoteCutter.reply(from: bold) == "Works now.")
    }

    @Test func appleMail() {
        let text = """
            Yes please.

            > On 5 Dec 2026, at 09:00, Jane <j@x.example> wrote:
            >
            > Shall we replace it?
            """
        #expect(QuoteCutter.reply(from: text) == "Yes please.")
    }

    @Test func germanAndFrenchClients() {
        let german = """
            Danke, erledigt.

            Am 05.12.2026 um 09:00 schrieb Jane Doe:
            > Bitte neu starten.
            """
        #expect(QuoteCutter.reply(from: german) == "Danke, erledigt.")
        let german2 = "Danke.\n\nAm Sa., 5. Dez. 2026 um 09:00 Uhr schrieb Jane Doe <j@x.example>:\n> alt"
        #expect(QuoteCutter.reply(from: german2) == "Danke.")
        let french = """
            Merci, c'est réglé.

            Le 05/12/2026 à 09:00, Jane Doe a écrit :
            > Veuillez redémarrer.
            """
        #expect(QuoteCutter.reply(from: french) == "Merci, c'est réglé.")
        let outlookGerman = "Passt.\n\nVon: Desk <d@x.example>\nGesendet: Samstag, 5. Dezember 2026 09:00\nAn: Bob\nBetreff: x\n\nalt"
        #expect(QuoteCutter.reply(from: outlookGerman) == "Passt.")
        #expect(QuoteCutter.reply(from: "Ok.\n\n-----Ursprüngliche Nachricht-----\nVon: x") == "Ok.")
    }

    @Test func signatureIsCut() {
        #expect(QuoteCutter.reply(from: "Thanks!\n\n-- \nBob Smith\nACME Corp\n") == "Thanks!")
        // A signature above the quoted history (top-posting)
        #expect(QuoteCutter.reply(from: "Thanks!\n-- \nBob\n\nOn Sat, Jane wrote:\n> x") == "Thanks!")
    }

    @Test func trailingQuotesWithoutAttributionAreCut() {
        #expect(QuoteCutter.reply(from: "Agreed.\n\n> old line\n> more\n\n") == "Agreed.")
    }

    @Test func interleavedAnswersAreKept() {
        // Answers between quotes only make sense with the quotes
        let text = "> Is it on?\nYes.\n> Is it plugged in?\nNo."
        #expect(QuoteCutter.reply(from: text) == text)
    }

    @Test func whenCuttingLeavesNothingTheWholeTextIsKept() {
        let onlyQuote = "On Sat, Dec 5, 2026 at 9:00 AM Jane <j@x.example> wrote:\n> Please restart it.\n"
        #expect(QuoteCutter.reply(from: onlyQuote) == onlyQuote.trimmingBlanks())
        #expect(QuoteCutter.reply(from: "-- \nBob") == "-- \nBob")
        #expect(QuoteCutter.reply(from: "") == "")
    }

    @Test func ordinaryTextThatLooksAlikeIsNotCut() {
        let text = "On Monday I wrote the report.\nFrom: the logs it is clear.\nIt failed."
        #expect(QuoteCutter.reply(from: text) == text)
    }

    @Test func aReplyThroughTheWholeParserIsCut() throws {
        // Given a Gmail-shaped HTML-only reply with the history in a blockquote
        let bytes = mail("""
            From: Bob <bob@x.example>
            Subject: Re: [ST-2026-001] Printer
            Content-Type: text/html; charset=UTF-8

            <div dir="ltr">It works <b>now</b>, thanks!</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Sat, Dec 5, 2026 at 9:00 AM Support Desk &lt;<a href="mailto:support@desk.example">support@desk.example</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Please restart the spooler.<br></blockquote></div>
            """)
        let message = try InboundMail.parse(bytes)
        #expect(message.reply == "It works now, thanks!")
        #expect(message.text.contains("> Please restart the spooler."))
    }
}
