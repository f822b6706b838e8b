import Testing
@testable import AgoraMarkdown

@Suite struct MarkdownTests {
    @Test func rendersCommonMark() {
        let html = Markdown.html("# Tea\n\nA *fine* [leaf](/products/oolong/).")
        #expect(html.contains("<h1>Tea</h1>"))
        #expect(html.contains("<em>fine</em>"))
        #expect(html.contains(#"<a href="/products/oolong/">leaf</a>"#))
    }

    @Test func rawHTMLNeverReachesThePage() {
        let html = Markdown.html("Hello <script>alert(1)</script>\n\n<iframe src=x></iframe>\n\n<img src=x onerror=alert(1)>")
        #expect(!html.contains("<script"))
        #expect(!html.contains("<iframe"))
        #expect(!html.contains("onerror"))
        #expect(html.contains("raw HTML omitted"))
    }

    @Test func javascriptLinksLoseTheirTarget() {
        let html = Markdown.html("[click](javascript:alert(1)) and [data](vbscript:msgbox)")
        #expect(!html.lowercased().contains("javascript:"))
        #expect(!html.lowercased().contains("vbscript:"))
        #expect(html.contains(#"<a href="">click</a>"#))
    }

    @Test func plainTextDropsMarkupAndCollapsesSpace() {
        #expect(Markdown.plainText("# Title\n\nSome **bold**\ntext with `code`.\n\n- one\n- two") ==
            "Title Some bold text with code. one two")
    }

    @Test func excerptCutsAtAWordBoundary() {
        let excerpt = Markdown.excerpt("Hand-thrown stoneware mugs glazed in ash", limit: 20)
        #expect(excerpt == "Hand-thrown…")
        #expect(Markdown.excerpt("Short", limit: 20) == "Short")
        #expect(Markdown.excerpt("Exactly twenty chars", limit: 20) == "Exactly twenty chars")
        #expect(Markdown.excerpt("Crème brûlée à la carte, servie chaude", limit: 21) == "Crème brûlée à la…")
    }

    /// One parse gives what `excerpt` and `links` give separately.
    @Test func summaryIsExcerptAndLinksInOneParse() {
        let documents = ["", "Plain", "# Title\n\n[a](/a/) and ![b](/b.png)\n\nLonger text that goes on and on past the limit",
                         "- [x](/x/)\n- y\n\n> [z](https://z.example/)", String(repeating: "word ", count: 100)]
        for document in documents {
            let summary = Markdown.summary(document, excerptLimit: 30)
            #expect(summary.excerpt == Markdown.excerpt(document, limit: 30))
            #expect(summary.links == Markdown.links(document))
        }
    }
}

@Suite struct MarkdownLinkTests {
    @Test func findsLinksAndImagesWithTheirLines() {
        let source = """
        # Title

        See [the mug](/products/mug/) and
        the [bowl](/products/bowl/ "Bowl").

        ![photo](/images/a.png)

        - a list with [a page](/about/)
        > quoted [link](https://example.com/)
        """
        #expect(Markdown.links(source) == [
            MarkdownLink(destination: "/products/mug/", line: 3),
            MarkdownLink(destination: "/products/bowl/", line: 4),
            MarkdownLink(destination: "/images/a.png", line: 6),
            MarkdownLink(destination: "/about/", line: 8),
            MarkdownLink(destination: "https://example.com/", line: 9),
        ])
    }
}
