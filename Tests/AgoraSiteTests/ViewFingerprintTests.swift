import AgoraContent
import AgoraTheme
import Foundation
import Testing
@testable import AgoraSite

/// The typed fingerprints of products' and people's own values (`ViewFingerprints.swift`) are
/// those of their template contexts, for every kind of value a context holds.
@Suite struct ViewFingerprintTests {
    @Test func typedFingerprintsAreThoseOfTheContexts() throws {
        let site = try ThumbnailTests.site()
        try site.write("products/black/params.md", """
            ---
            name: Params
            sku: BT-3
            category: black-tea
            price: 2.75
            stock: 5
            maker: old
            date: 2026-01-02
            tags: [Tea, tea, "Black Tea", black-tea]
            origin: Assam
            grams: 250
            ratio: 0.5
            organic: true
            none: null
            notes: [a, 2, {deep: [x]}]
            box: {w: 1, h: 2}
            ---
            Body with a [link](/about/).
            """)
        try site.write("images/cy.png", "not an image")
        try site.write("people/cyra.md", "---\nname: Cy Web\nwebsite: https://cy.example/\nphoto: images/cy.png\nrole: maker\nyears: [2024, 2025]\n---\nCy.\n")
        let load = try ContentLoader(directory: site.content).load(reusing: ParsedFiles())
        let theme = try Theme(directory: site.root.appendingPathComponent("themes/default"), displayName: "theme")
        let images = load.content.products.compactMap(\.image) + load.content.people.compactMap(\.photo)
        let thumbnails = Thumbnails(contentDirectory: site.content, contentDisplayName: "content",
                                    folder: site.root.appendingPathComponent("thumbs"))
            .prepare(images, displayed: Set(load.content.products.compactMap(\.image)), previousHashes: [:])
        let plan = SitePlan(content: load.content, theme: theme, contentDirectory: site.content,
                            generated: "2026-04-01T00:00:00Z", thumbnails: thumbnails)

        // Every kind of value is there: thumbnails made and not (a missing photo), a display image,
        // makers with a page and without, none, tags, nested params, a website, low stock.
        #expect(plan.listed.contains { $0.thumbnails != nil && $0.display != nil })
        #expect(plan.listed.contains { $0.thumbnails == nil && !$0.hasImage })
        #expect(plan.listed.contains { $0.maker?.url != nil })
        #expect(plan.listed.contains { $0.maker != nil && $0.maker?.url == nil })
        #expect(plan.listed.contains { $0.maker == nil })
        #expect(plan.listed.contains { $0.product.params.count == 7 && $0.product.tags.count == 4 })
        #expect(plan.listed.contains { (1...5).contains($0.product.stock) })
        #expect(plan.activePeople.contains { $0.person.website != nil && $0.person.params.count == 2 && $0.hasPhoto })
        #expect(plan.activePeople.contains { $0.thumbnails != nil })
        #expect(plan.activePeople.contains { $0.thumbnails == nil && $0.hasPhoto })
        #expect(plan.activePeople.contains { $0.person.location == nil })

        for view in plan.listed {
            #expect(view.contextFingerprint() == Fingerprint.of(view.context()), "\(view.product.sku)")
        }
        for view in plan.activePeople {
            #expect(view.contextFingerprint() == Fingerprint.of(view.context()), "\(view.person.username)")
            var listed = view.context()
            listed["product_count"] = 3
            #expect(view.contextFingerprint(productCount: 3) == Fingerprint.of(listed), "\(view.person.username)")
            #expect(view.contextFingerprint(productCount: 3) != view.contextFingerprint(productCount: 4))
        }
    }
}

@Suite struct FingerprintTextTests {
    /// The text of a fingerprint is its two halves in 16 lowercase, zero-padded hexadecimal digits each.
    @Test func aFingerprintReadsAsThirtyTwoHexDigits() {
        #expect(Fingerprint(high: 0x0123_4567_89ab_cdef, low: 0xf).description == "0123456789abcdef000000000000000f")
        #expect(Fingerprint(high: 0, low: 0).description == String(repeating: "0", count: 32))
        #expect(Fingerprint(high: .max, low: 0xa0).description == String(repeating: "f", count: 16) + "00000000000000a0")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let (high, low) = (generator.next() as UInt64, generator.next() as UInt64)
            let padded = { (half: UInt64) in
                let digits = String(half, radix: 16)
                return String(repeating: "0", count: 16 - digits.count) + digits
            }
            #expect(Fingerprint(high: high, low: low).description == padded(high) + padded(low))
        }
    }
}
