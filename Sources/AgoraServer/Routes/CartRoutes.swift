import AgoraContent
import AgoraStore
import Foundation
import HTTPTypes
import Hummingbird

/// The cart: HTML pages with plain forms (Post/Redirect/Get) and the JSON API (SPEC §5.1, §5.2).
struct CartRoutes {
    let shop: Shop

    func register(on router: Router<ShopContext>) {
        router.get("/cart/") { request, context in try await page(request, context) }
        router.post("/cart/add/:sku") { request, context in
            var request = request
            var context = context
            let fields = try await request.formFields()
            let quantity = try Self.quantity(fields["quantity"] ?? "1")
            try await add(sku: context.parameters.require("sku"), quantity: quantity, replace: fields["update"] == "true", context: &context)
            return Response.seeOther("/cart/")
        }
        router.post("/cart/remove/:sku") { _, context in
            if let session = context.session { _ = try await shop.carts.remove(sku: try context.parameters.require("sku"), from: session.cartOwner) }
            return Response.seeOther("/cart/")
        }

        router.get("/api/cart") { _, context in Response.json(CartView(try await shop.cart(context), catalog: shop.catalog.current).json) }
        router.post("/api/cart/items") { request, context in
            var request = request
            var context = context
            let body = try AddItem.decode(try await request.bodyData())
            let cart = try await add(sku: body.sku, quantity: body.quantity, replace: body.update ?? false, context: &context)
            return Response.json(CartView(cart, catalog: shop.catalog.current).json)
        }
        router.delete("/api/cart/items/:sku") { _, context in
            let sku = try context.parameters.require("sku")
            guard Identifier.isSKU(sku) else { throw ShopHTTPError.badRequest("\"\(sku)\" is not a sku", field: "sku") }
            guard let session = context.session else { return Response.json(CartView(Cart(lines: []), catalog: shop.catalog.current).json) }
            let cart = try await shop.carts.remove(sku: sku, from: session.cartOwner)
            return Response.json(CartView(cart, catalog: shop.catalog.current).json)
        }
    }

    struct AddItem: FlatJSONDecodable {
        let sku: String
        let quantity: Int
        let update: Bool?

        init?(_ fields: FlatJSON) {
            guard let sku = fields.string("sku"), let quantity = fields.integer("quantity"),
                  let update = fields.optionalBool("update") else { return nil }
            (self.sku, self.quantity, self.update) = (sku, quantity, update)
        }
    }

    /// Checks the sku first (404), then the quantity (400), then the stock (409); only then is a
    /// session created, so refused requests leave nothing behind. A visitor who has a session
    /// already goes straight to the write, which checks the stock in its own transaction.
    @discardableResult
    private func add(sku: String, quantity: Int, replace: Bool, context: inout ShopContext) async throws -> Cart {
        let product = try shop.productForSale(sku)
        guard CartRules.quantityRange.contains(quantity) else { throw ShopHTTPError(ShopError.invalidQuantity(quantity)) }
        if let session = context.session {
            return try await shop.carts.add(product.item, quantity: quantity, replace: replace, to: session.cartOwner)
        }
        let left = try await shop.carts.unitsLeft(product.item)
        if quantity > left { throw ShopHTTPError(ShopError.outOfStock(sku: sku, name: product.name, left: max(0, left))) }
        let session = try await shop.sessions.ensure(&context)
        return try await shop.carts.add(product.item, quantity: quantity, replace: replace, to: session.cartOwner)
    }

    private static func quantity(_ text: String) throws -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ShopHTTPError(.badRequest, code: "invalid_quantity", message: "Quantity must be a whole number from 1 to 20",
                                field: "quantity")
        }
        return value
    }

    /// `?country=PT` (the cart's "Estimate for" select) chooses the country the estimate is for,
    /// and remembers it like a checkout does.
    private func page(_ request: Request, _ context: ShopContext) async throws -> Response {
        let current = shop.catalog.current
        let cart = try await shop.cart(context)
        let view = CartView(cart, catalog: current)
        let shipping = current.config.shipping
        var country = CountryChoice.remembered(request, shipping: shipping)
        if let asked = request.uri.queryParameters["country"].map(String.init) {
            guard let chosen = CountryChoice.valid(asked, shipping: shipping) else {
                throw ShopHTTPError.badRequest("We do not ship to \(asked)", field: "country")
            }
            country = chosen
            CountryChoice.remember(chosen, context, secure: shop.sessions.secureCookies)
        }
        var values = ShippingEstimate.values(cart, country: country, config: current.config)
        values["cart"] = view.templateValues(placeholder: shop.pages.placeholderImage)
        return shop.pages.render("cart", title: "Your cart", url: "/cart/", cart: cart, values: values)
    }
}
