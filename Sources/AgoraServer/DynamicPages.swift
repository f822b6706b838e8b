import AgoraContent
import AgoraStore
import AgoraTheme
import Foundation
import HTTPTypes
import Hummingbird

/// The server's own HTML pages — cart, checkout, thanks, errors — rendered with the same theme
/// and the same header and footer as the static site.
public struct DynamicPages: Sendable {
    let themes: LiveTheme
    let catalog: LiveCatalog

    public init(theme: LiveTheme, catalog: LiveCatalog) {
        themes = theme
        self.catalog = catalog
    }

    /// The theme in force now.
    var theme: Theme { themes.current }

    /// The theme's stand-in for a product or person without a picture.
    var placeholderImage: String { theme.assets.url(for: "no_image.png") ?? "" }

    func render(_ template: String, title: String, url: String, cart: Cart?, status: HTTPResponse.Status = .ok,
                values: [String: Any]) -> Response {
        let theme = self.theme
        let current = catalog.current
        let chrome = PageChrome(config: current.config, categories: current.categories, pages: current.pages, theme: theme)
        var context = chrome.context(title: title, description: title, url: url, values: values)
        context["chrome"] = chrome.renderedParts(extra: ["cart": cart.map { CartView($0, catalog: current).summary } ?? false])
        let html = (try? theme.render(template, context)) ?? "<!doctype html><title>\(title)</title><p>\(title)</p>"
        return .html(html, status: status)
    }

    /// The theme's error page (`error.mustache`) for a refusal.
    func error(_ refusal: ShopHTTPError, context: ShopContext) -> Response {
        render("error", title: Self.title(for: refusal.status), url: "/", cart: nil, status: refusal.status, values: [
            "error": ["status": Int(refusal.status.code), "code": refusal.code, "message": refusal.message,
                      "title": Self.title(for: refusal.status)] as [String: Any],
        ])
    }

    static func title(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "That did not work"
        case 401: return "Please log in"
        case 403: return "Not allowed"
        case 404: return "Page not found"
        case 409: return "Not possible right now"
        case 413: return "Too much at once"
        case 415: return "Unsupported request"
        case 422: return "Please check the form"
        case 429: return "Too many attempts"
        default: return "Something went wrong"
        }
    }
}

/// A cart as templates and the JSON API show it.
struct CartView {
    let cart: Cart
    let catalog: Catalog

    init(_ cart: Cart, catalog: Catalog) {
        self.cart = cart
        self.catalog = catalog
    }

    var symbol: String { catalog.config.currencySymbol }

    /// For the header of every server page.
    var summary: [String: Any] {
        ["count": cart.count, "has_items": !cart.isEmpty, "total": cart.total.decimalString,
         "total_display": symbol + cart.total.decimalString, "summary": summaryText, "count_label": countLabel]
    }

    /// "1 item", "3 items".
    var countLabel: String { "\(cart.count) \(cart.count == 1 ? "item" : "items")" }

    /// The header's words (SPEC §6.10): "Your cart: 2 items, €41.00" or "Your cart is empty". The
    /// server writes them on its pages and in `GET /api/cart`, so static pages show the same text.
    var summaryText: String {
        guard !cart.isEmpty else { return "Your cart is empty" }
        return "Your cart: \(countLabel), \(symbol)\(cart.total.decimalString)"
    }

    /// The cart page's thumbnail column: the build's small thumbnail, else the image, else the
    /// theme's placeholder (also for a product that is gone).
    private static func thumbnail(_ product: Catalog.Product?, placeholder: String) -> [String: Any] {
        if let thumbnail = product?.thumbnail {
            return ["url": thumbnail.url, "srcset": thumbnail.srcset, "width": thumbnail.width, "height": thumbnail.height]
        }
        return ["url": product?.image ?? placeholder, "srcset": false, "width": 80, "height": 80]
    }

    func templateValues(placeholder: String) -> [String: Any] {
        var values = summary
        values["lines"] = cart.lines.map { line -> [String: Any] in
            let product = catalog.product(sku: line.sku)
            // What the shopper should know about the price (SPEC §6.11): it moved at the last
            // quantity change, or the shop changed it since and the next change will apply it.
            let current = product.flatMap { $0.available ? $0.item.price : nil }
            var note: Any = false
            if let current, current != line.unitPrice {
                note = "Now \(symbol)\(current.decimalString); a new quantity is charged at that price."
            } else if let previous = line.priceChangedFrom {
                note = "Price changed from \(symbol)\(previous.decimalString)."
            }
            return [
                "sku": line.sku, "name": line.name, "url": product?.url ?? false, "quantity": line.quantity,
                "price": line.unitPrice.decimalString, "price_display": symbol + line.unitPrice.decimalString, "price_note": note,
                "total": line.total.decimalString, "total_display": symbol + line.total.decimalString,
                "image_url": product?.image ?? false,
                "thumb": Self.thumbnail(product, placeholder: placeholder),
                "for_sale": product?.available == true,
            ]
        }
        values["is_empty"] = cart.isEmpty
        values["ships"] = catalog.config.shipping != nil   // shipping is added at checkout, for the country chosen there
        // Lines the shop stopped selling since they were added: named, so the shopper can remove them.
        let stale = StaleLine.lines(of: cart) { catalog.product(sku: $0)?.item }
        values["stale_message"] = stale.isEmpty ? false : ShopHTTPError.staleMessage(stale)
        return values
    }

    /// `GET /api/cart` (SPEC §5.2).
    var json: CartJSON {
        CartJSON(items: cart.lines.map {
            CartJSON.Item(sku: $0.sku, name: $0.name, url: catalog.product(sku: $0.sku)?.url, quantity: $0.quantity,
                          price: $0.unitPrice.decimalString, total: $0.total.decimalString)
        }, count: cart.count, total: cart.total.decimalString, currency: catalog.config.currency, summary: summaryText)
    }
}

/// `GET /api/cart`: `{"count", "currency", "items": [{"name", "price", "quantity", "sku", "total", "url"}], "summary", "total"}`;
/// `url` is null, not absent, when the product is gone.
struct CartJSON: JSONWritable {
    struct Item {
        let sku: String
        let name: String
        let url: String?
        let quantity: Int
        let price: String
        let total: String
    }
    let items: [Item]
    let count: Int
    let total: String
    let currency: String
    let summary: String

    func write(to json: inout JSONWriter) {
        json.object { json in
            json.field("count", count)
            json.field("currency", currency)
            json.key("items")
            json.array(items) { json, item in
                json.object { json in
                    json.field("name", item.name)
                    json.field("price", item.price)
                    json.field("quantity", item.quantity)
                    json.field("sku", item.sku)
                    json.field("total", item.total)
                    json.field("url", item.url)
                }
            }
            json.field("summary", summary)
            json.field("total", total)
        }
    }
}

/// An order's subtotal, shipping, tax and country as templates show them (thanks page, admin,
/// mail): `{{#charges.has_shipping}}…`, `{{charges.tax_label}}` ("VAT included" or "Tax").
enum ChargesView {
    static func values(_ order: Order, symbol: String) -> [String: Any] {
        values(order.charges, country: order.customer.country, symbol: symbol)
    }

    static func values(_ charges: Charges, country: String, symbol: String) -> [String: Any] {
        [
            "subtotal_display": symbol + charges.subtotal.decimalString,
            "shipping_display": charges.shipping.isZero ? "Free" : symbol + charges.shipping.decimalString,
            "has_shipping": !country.isEmpty,
            "tax_display": symbol + charges.tax.decimalString,
            "has_tax": !charges.tax.isZero,
            "tax_label": charges.taxIncluded ? "Tax included in the prices" : "Tax",
            "country": country,
            "country_name": Countries.name(country) ?? country,
            "total_display": symbol + charges.total.decimalString,
        ]
    }
}
