import AgoraContent
import Testing

/// `Product` is a class for the build's sake, but compares and hashes as the value it was.
@Suite struct ProductValueTests {
    struct Fields {
        var sku = "TEA-1", slug = "sencha", name = "Sencha", category = "tea"
        var price = Money(minorUnits: 1450), stock = 5, available = true
        var image: String? = "images/sencha.jpg", maker: String? = "aiko", date = "2026-11-02", draft = false
        var tags = ["green"], description = "Grassy.", params: [String: ParamValue] = ["origin": .string("Shizuoka")]
        var source = SourceLocation(file: "content/products/sencha.md", bodyStartLine: 9)

        var product: Product {
            Product(sku: sku, slug: slug, name: name, category: category, price: price, stock: stock, available: available,
                    image: image, maker: maker, date: date, draft: draft, tags: tags,
                    descriptionMarkdown: MarkdownBody(description), params: params, source: source)
        }
    }

    @Test func equalFieldsMakeEqualProductsWithEqualHashes() {
        let (first, second) = (Fields().product, Fields().product)
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        #expect(Set([first, second]).count == 1)
    }

    @Test func everyFieldTakesPartInEquality() {
        let changes: [(String, (inout Fields) -> Void)] = [
            ("sku", { $0.sku = "TEA-2" }), ("slug", { $0.slug = "gyokuro" }), ("name", { $0.name = "Gyokuro" }),
            ("category", { $0.category = "teaware" }), ("price", { $0.price = Money(minorUnits: 1451) }),
            ("stock", { $0.stock = 6 }), ("available", { $0.available = false }), ("image", { $0.image = nil }),
            ("maker", { $0.maker = "tomas" }), ("date", { $0.date = "2026-11-03" }), ("draft", { $0.draft = true }),
            ("tags", { $0.tags = ["green", "spring"] }), ("description", { $0.description = "Sweet." }),
            ("params", { $0.params = ["origin": .string("Uji")] }),
            ("source", { $0.source = SourceLocation(file: "content/products/sencha.md", bodyStartLine: 10) }),
        ]
        let original = Fields().product
        for (field, change) in changes {
            var fields = Fields()
            change(&fields)
            #expect(fields.product != original, "\(field) is left out of ==")
            #expect(Set([fields.product, original]).count == 2, "\(field) is left out of ==")
        }
    }
}
