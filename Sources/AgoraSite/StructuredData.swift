import AgoraContent
import AgoraTheme
import Foundation

/// schema.org JSON-LD for product and profile pages, and the values of the social cards
/// (SPEC §3.3). The JSON is safe to place inside `<script>`: `<` is written as `\u003c`.
/// It is encoded only when the page is rendered; until then its fingerprint stands for it.
enum StructuredData {
    static func product(_ view: ProductView, config: SiteConfig) -> DeferredHTML {
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
        return deferred(value)
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

    static func encode(_ value: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
    }
}
