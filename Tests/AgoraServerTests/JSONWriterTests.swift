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

/// `FlatJSON`'s fast path never reads a body differently from `JSONDecoder`: whenever it gives a
/// value, `JSONDecoder` gives the same one (when it gives none, `JSONDecoder` decodes the body).
@Suite struct FlatJSONTests {
    static let keys = ["\"sku\"", "\"quantity\"", "\"update\"", "\"extra\"", "\"username\"", "\"action\"", "\"sk\\u0075\"", "\"SKU\""]
    static let values = [
        "\"TC-001\"", "\"\"", "\"Chá ☕️\"", "\"a\\\"b\"", "\"tab\\tx\"", "\"\u{7}\"", "1", "0", "-3", "20", "007", "1.0", "1e2", "-0",
        "99999999999999999999", "9223372036854775807", "-9223372036854775808", "true", "false", "null", "{}", "[1]", "\"x\" ",
        "tru", "nul", "+1", "\"unterminated",
    ]

    static func body(_ random: inout some RandomNumberGenerator) -> String {
        var pairs: [String] = []
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            let space = [" ", "", "\n\t", ""].randomElement(using: &random)!
            pairs.append("\(space)\(keys.randomElement(using: &random)!)\(space):\(space)\(values.randomElement(using: &random)!)")
        }
        if Bool.random(using: &random) {  // the shape of a real body, with any values
            pairs = ["\"sku\":\(values.randomElement(using: &random)!)", "\"quantity\": \(values.randomElement(using: &random)!)",
                     "\"username\":\(values.randomElement(using: &random)!)", "\"action\":\(values.randomElement(using: &random)!)"]
            if Bool.random(using: &random) { pairs.append("\"update\":\(values.randomElement(using: &random)!)") }
            pairs.shuffle(using: &random)
        }
        let inner = pairs.joined(separator: Bool.random(using: &random) ? "," : ", ")
        return [" {\(inner)} ", "{\(inner)}", "{\(inner)", "{\(inner)}x", "[\(inner)]", "{\(inner),}"]
            .randomElement(using: &random)!
    }

    /// A body of the common shapes with values the fast path takes, keys in any order and spacing.
    static func commonBody(_ random: inout some RandomNumberGenerator) -> String {
        let space = [" ", "", "\n"].randomElement(using: &random)!
        var pairs = ["\"sku\":\(space)\"TC-\(Int.random(in: 0...999, using: &random))\"",
                     "\"quantity\":\(space)\(Int.random(in: 1...20, using: &random))"]
        if Bool.random(using: &random) { pairs.append("\"update\":\(Bool.random(using: &random))") }
        pairs.shuffle(using: &random)
        return "{" + pairs.joined(separator: "," + space) + "}"
    }

    @Test func theFastPathAgreesWithJSONDecoder() throws {
        var random = SystemRandomNumberGenerator()
        var fastOnes = 0
        for index in 0..<5000 {
            // One body in ten of the common shape, so that the fast path is always exercised; the
            // rest random, where it mostly declines.
            let body = Data((index % 10 == 0 ? Self.commonBody(&random) : Self.body(&random)).utf8)
            if let fields = FlatJSON(body), let fast = CartRoutes.AddItem(fields) {
                fastOnes += 1
                let slow = try JSONDecoder().decode(CartRoutes.AddItem.self, from: body)
                #expect(fast.sku == slow.sku && fast.quantity == slow.quantity && fast.update == slow.update,
                        "\(String(decoding: body, as: UTF8.self))")
            }
            if let fields = FlatJSON(body), let fast = SocialRoutes.FollowRequest(fields) {
                let slow = try JSONDecoder().decode(SocialRoutes.FollowRequest.self, from: body)
                #expect(fast.username == slow.username && fast.action == slow.action, "\(String(decoding: body, as: UTF8.self))")
            }
        }
        #expect(fastOnes >= 500)
        // The common bodies take the fast path.
        #expect(FlatJSON(Data(#"{"sku":"TC-001","quantity":1,"update":true}"#.utf8)).flatMap(CartRoutes.AddItem.init) != nil)
        #expect(FlatJSON(Data(#"{"username":"mira","action":"follow"}"#.utf8)).flatMap(SocialRoutes.FollowRequest.init) != nil)
        // Escapes, fractions and duplicates are left to JSONDecoder.
        #expect(FlatJSON(Data(#"{"sku":"T\"C","quantity":1}"#.utf8)) == nil)
        #expect(FlatJSON(Data(#"{"sku":"TC","quantity":1.0}"#.utf8)) == nil)
        #expect(FlatJSON(Data(#"{"sku":"TC","sku":"TD","quantity":1}"#.utf8)) == nil)
    }
}
