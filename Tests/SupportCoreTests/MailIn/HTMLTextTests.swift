import Testing

@testable import SupportCore

@Suite("MailIn: HTML to text")
struct HTMLTextTests {
    @Test func paragraphsBreaksAndBlanks() {
        #expect(HTMLText.text("<p>One\n  two</p><p>Three<br>four</p>") == "One two\n\nThree\nfour")
        #expect(HTMLText.text("<div>a</div><div>b</div><div><br></div><div>c</div>") == "a\nb\n\nc")
    }

    @Test func listsAndLinks() {
        #expect(HTMLText.text("<ol><li>first</li><li>second <a href='https://x.example/a?b=1&amp;c=2'>link</a></li></ol>")
            == "- first\n- second link (https://x.example/a?b=1&c=2)")
        // A link whose text is its address is not doubled, nor is a mailto: of the same address
        #expect(HTMLText.text("<a href=\"https://x.example\">https://x.example</a>") == "https://x.example")
        #expect(HTMLText.text("<a href=\"mailto:j@x.example\">j@x.example</a>") == "j@x.example")
    }

    @Test func entitiesAreDecoded() {
        #expect(HTMLText.text("caf&eacute; &lt;b&gt; &#8364; &#x1F525; &nbsp;&amp;&unknown; &#0;")
            == "café <b> € 🔥 &&unknown; \u{FFFD}")
    }

    @Test func scriptsStylesHeadAndCommentsAreDropped() {
        let html = """
            <!DOCTYPE html><html><head><title>T</title><style>p { x: "<p>" }</style></head>
            <body><!-- <p>hidden</p> --><script>document.write("<p>x</p>")</script><p>shown</p>
            <SCRIPT type="text/javascript">evil()</SCRIPT></body></html>
            """
        #expect(HTMLText.text(html) == "shown")
    }

    @Test func blockquotesBecomeQuotedLines() {
        #expect(HTMLText.text("<p>Yes.</p><blockquote><p>Is it on?</p><blockquote>inner</blockquote></blockquote>")
            == "Yes.\n\n> Is it on?\n>\n>> inner")
    }

    @Test func preformattedTextKeepsItsLines() {
        #expect(HTMLText.text("<pre>a  b\n  c</pre>") == "a  b\n  c")
    }

    @Test func brokenHtmlDoesNotHang() {
        #expect(HTMLText.text("<p>unclosed <b attr=\"x>y\" tail") == "unclosed")
        #expect(HTMLText.text("<script>never closed") == "")
        #expect(HTMLText.text("a < b and c > d") == "a < b and c > d")
        #expect(HTMLText.text(String(repeating: "<div>", count: 10_000) + "deep") == "deep")
    }
}
