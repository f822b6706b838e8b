import AgoraContent
import AgoraTheme
import Foundation

/// schema.org JSON-LD for product and profile pages, and the values of the social cards
/// (SPEC §3.3). The JSON is safe to place inside `<script>`: `<` is written as `\u003c`.
/// It is encoded only when the page is rendered; until then its fingerprint stands for it.
enum StructuredData {
    /// A product page's JSON-LD. Everything it reads of the product is among the product's own
    /// template values (`ProductView.context()`), so their digest (`valuesKey`) and the three
    /// settings it reads key it: an unchanged page costs neither building the value nor hashing it.
    static func product(_ view: ProductView, config: SiteConfig, valuesKey: String) -> DeferredHTML {
        let key = Fingerprint.of(texts: ["product json-ld 1", valuesKey, config.currency, config.title, config.baseURL])
        return DeferredHTML(key: key.description, keepsResult: false) { encode(productValue(view, config: config)) }
    }

    static func productValue(_ view: ProductView, config: SiteConfig) -> [String: Any] {
        let product = view.product
        var offer: [String: Any] = [
            "@type": "Offer",
            "price": product.price.decimalString,
            "priceCurrency": config.currency,
            "availability": product.stock > 0 ? "https://schema.org/InStock" : "https://schema.org/OutOfStock",
            "itemCondition": "https://schema.org/NewCondition",
            "url": config.absoluteURL(view.url),
        ]
        offer["seller"] = ["@type": "Organization", "name": config.title]
        var value: [String: Any] = [
            "@context": "https://schema.org",
            "@type": "Product",
            "name": product.name,
            "sku": product.sku,
            "url": config.absoluteURL(view.url),
            "image": view.imageAbsoluteURL,
            "description": view.excerpt,
            "category": view.categoryName,
            "offers": offer,
        ]
        if let maker = view.maker {
            value["brand"] = ["@type": "Brand", "name": maker.name]
        }
        return value
    }

    static func person(_ view: PersonView, config: SiteConfig) -> DeferredHTML {
        let person = view.person
        var value: [String: Any] = [
            "@context": "https://schema.org",
            "@type": "Person",
            "name": person.name,
            "alternateName": person.username,
            "url": config.absoluteURL(view.url),
            "description": view.excerpt,
        ]
        if person.photo != nil { value["image"] = config.absoluteURL(view.photoURL) }
        if let location = person.location { value["homeLocation"] = ["@type": "Place", "name": location] }
        if let website = person.website { value["sameAs"] = [website] }
        return deferred(value)
    }

    private static func deferred(_ value: [String: Any]) -> DeferredHTML {
        let value = UncheckedContext(values: value)
        return DeferredHTML(key: Fingerprint.of(value.values).description, keepsResult: false) { encode(value.values) }
    }

    /// JSON with sorted keys, `/` unescaped and `<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`: the
    /// bytes `JSONSerialization` wrote with `.sortedKeys` and `.withoutEscapingSlashes` (a test
    /// holds them equal), written directly — sorting `AnyHashable` keys through Foundation cost a
    /// sixth of a cold build. Keys sort by code point; for schema.org's keys (`@` and lower-case
    /// names) that is the order Foundation's collation gave.
    static func encode(_ value: [String: Any]) -> String {
        var output = ""
        output.reserveCapacity(512)
        write(value, to: &output)
        return output
    }

    private static func write(_ value: Any, to output: inout String) {
        switch value {
        case let text as String:
            writeString(text, to: &output)
        case let object as [String: Any]:
            output.append("{")
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { output.append(",") }
                writeString(key, to: &output)
                output.append(":")
                write(object[key] ?? "", to: &output)
            }
            output.append("}")
        case let array as [Any]:
            output.append("[")
            for (index, element) in array.enumerated() {
                if index > 0 { output.append(",") }
                write(element, to: &output)
            }
            output.append("]")
        case let flag as Bool:
            output.append(flag ? "true" : "false")
        default:
            writeString("\(value)", to: &output)
        }
    }

    /// The text's runs of bytes that need no escape are copied whole: every escape is ASCII, and
    /// no byte of a multi-byte UTF-8 sequence is, so the runs are whole characters. (Appending
    /// scalar by scalar was 4 % of a cold build's CPU.)
    private static func writeString(_ text: String, to output: inout String) {
        output.append("\"")
        var text = text
        text.withUTF8 { bytes in
            var run = 0
            for index in bytes.indices {
                let escape: String
                switch bytes[index] {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "\n"): escape = "\\n"
                case UInt8(ascii: "\r"): escape = "\\r"
                case UInt8(ascii: "\t"): escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case UInt8(ascii: "<"): escape = "\\u003c"
                case UInt8(ascii: ">"): escape = "\\u003e"
                case UInt8(ascii: "&"): escape = "\\u0026"
                case let byte where byte < 0x20:
                    let hex = String(byte, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default:
                    continue
                }
                if run < index { output.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<index]), as: UTF8.self)) }
                output.append(escape)
                run = index + 1
            }
            if run < bytes.count { output.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[run...]), as: UTF8.self)) }
        }
        output.append("\"")
    }
}
