import AgoraContent
import AgoraStore
import Hummingbird

/// The country a visitor last chose (SPEC §6.8) — at checkout, or in the cart's "Estimate for"
/// select — kept in a cookie so the cart and checkout pages can show shipping and tax before the
/// order is placed. Only a country the shop ships to is kept or believed.
enum CountryChoice {
    static let cookieName = "agora_country"
    static let lifetime = 365 * 86_400

    static func remembered(_ request: Request, shipping: ShippingRules?) -> String? {
        valid(request.cookieValue(cookieName), shipping: shipping)
    }

    static func valid(_ code: String?, shipping: ShippingRules?) -> String? {
        guard let shipping, let code = code?.uppercased(), shipping.countries.contains(where: { $0.code == code }) else { return nil }
        return code
    }

    static func remember(_ country: String, _ context: ShopContext, secure: Bool) {
        context.cookies.add(Cookie(name: cookieName, value: country, maxAge: lifetime, path: "/", secure: secure, httpOnly: true,
                                   sameSite: .lax))
    }
}

/// Shipping, tax and total for a cart and a country, as the cart and checkout pages show them
/// before the order exists: the same rules and rounding the order will use.
enum ShippingEstimate {
    static func values(_ cart: Cart, country: String?, config: SiteConfig) -> [String: Any] {
        guard let shipping = config.shipping else { return ["estimate": false, "country_choice": false] }
        let choice: [String: Any] = ["options": shipping.countries.map { ["code": $0.code, "name": $0.name, "selected": $0.code == country] }]
        guard let country, !cart.isEmpty,
              let charges = PricingRules(shipping: config.shipping, tax: config.tax).charges(cart.lines, country: country) else {
            return ["estimate": false, "country_choice": choice]
        }
        return ["estimate": ChargesView.values(charges, country: country, symbol: config.currencySymbol), "country_choice": choice]
    }
}
