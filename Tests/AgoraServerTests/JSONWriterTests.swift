@testable import AgoraServer
import Foundation
import Testing

@Suite struct JSONWriterTests {
    static let awkward = [
        "plain", "", "quote \" and backslash \\", "new\nline\rreturn\ttab", "\u{0}\u{1}\u{1f} controls", "\u{8}\u{c}",
        "/slash/ </script>", "é Ünïcödé 日本語", "emoji 🫖", "\u{2028}\u{2029}",
    ]

    @Test(arguments: awkward) func stringsSurviveAJSONParser(_ text: String) throws {
        var writer = JSONWriter()
        writer.object { json in
            json.field("text", text)
            json.field("none", nil as String?)
        }
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String: Any])
        #expect(parsed["text"] as? String == text)
        #expect(parsed["none"] is NSNull)
    }

    @Test func writesCommasNestingAndScalarsLikeJSONEncoderWithSortedKeys() throws {
        var writer = JSONWriter()
        writer.object { json in
            json.field("count", 2)
            json.key("items")
            json.array([1, 2]) { json, number in
                json.object { json in
                    json.field("n", number)
                    json.field("odd", number % 2 == 1)
                }
            }
            json.key("empty")
            json.array([Int]()) { _, _ in }
            json.field("total", Int64(-7))
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self)
            == #"{"count":2,"items":[{"n":1,"odd":true},{"n":2,"odd":false}],"empty":[],"total":-7}"#)
    }

    @Test func cartJSONIsWhatJSONEncoderWrote() throws {
        struct Item: Encodable { let name, price: String; let quantity: Int; let sku, total: String; let url: String? }
        struct Cart: Encodable { let count: Int; let currency: String; let items: [Item]; let summary: String; let total: String }
        let cart = CartJSON(items: [.init(sku: "TC-001", name: "Sencha \"Asahi\"", url: nil, quantity: 2, price: "14.50", total: "29.00")],
                            count: 2, total: "29.00", currency: "EUR", summary: "Your cart: 2 items, €29.00")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = try encoder.encode(Cart(count: 2, currency: "EUR", items: [
            Item(name: "Sencha \"Asahi\"", price: "14.50", quantity: 2, sku: "TC-001", total: "29.00", url: nil),
        ], summary: "Your cart: 2 items, €29.00", total: "29.00"))
        var writer = JSONWriter()
        cart.write(to: &writer)
        // JSONEncoder leaves out a nil optional; the API sends `"url":null`, as before.
        #expect(String(decoding: writer.bytes, as: UTF8.self)
            == String(decoding: expected, as: UTF8.self).replacingOccurrences(of: #""total":"29.00"}]"#, with: #""total":"29.00","url":null}]"#))
    }
}
