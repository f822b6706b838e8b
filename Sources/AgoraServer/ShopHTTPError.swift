import AgoraContent
import AgoraStore
import HTTPTypes
import Hummingbird

/// A refusal with a status, a machine-readable code, a sentence for people and, for form and
/// JSON validation, the field at fault. Rendered as JSON under `/api/` and as a page elsewhere.
public struct ShopHTTPError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let field: String?
    /// The products a refusal is about, when there are several (`no_longer_for_sale`).
    public let skus: [String]?

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, skus: [String]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.skus = skus
    }

    static func notFound(_ message: String = "There is nothing here.") -> ShopHTTPError {
        ShopHTTPError(.notFound, code: "not_found", message: message)
    }

    static func badRequest(_ message: String, field: String? = nil) -> ShopHTTPError {
        ShopHTTPError(.badRequest, code: "bad_request", message: message, field: field)
    }

    /// The refusals of the cart and checkout rules (SPEC §6.3).
    init(_ error: ShopError) {
        switch error {
        case .unknownProduct(let sku):
            self.init(.notFound, code: "unknown_product", message: "No product with sku \(sku) is for sale", field: "sku")
        case .invalidQuantity(let quantity):
            self.init(.badRequest, code: "invalid_quantity",
                      message: "Quantity must be between 1 and 20, not \(quantity)", field: "quantity")
        case .outOfStock(_, let name, let left):
            let message = left == 0 ? "\(name) is sold out" : "Only \(left) of \(name) left"
            self.init(.conflict, code: "out_of_stock", message: message, field: "quantity")
        case .emptyCart:
            self.init(.conflict, code: "empty_cart", message: "Your cart is empty")
        case .cannotShip(let country):
            self.init(.unprocessableContent, code: "invalid_field", message: "We do not ship to \(Countries.name(country) ?? country)",
                      field: "country")
        case .noLongerForSale(let lines):
            self.init(.conflict, code: "no_longer_for_sale", message: Self.staleMessage(lines), skus: lines.map(\.sku))
        }
    }

    var json: [String: Any] {
        var error: [String: Any] = ["code": code, "message": message]
        if let field { error["field"] = field }
        if let skus { error["skus"] = skus }
        return ["error": error]
    }

    /// "Gyokuro is no longer for sale; remove it from your cart to check out."
    static func staleMessage(_ lines: [StaleLine]) -> String {
        let names = lines.map(\.name)
        let list = names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
        let (verb, pronoun) = names.count == 1 ? ("is", "it") : ("are", "them")
        return "\(list) \(verb) no longer for sale; remove \(pronoun) from your cart to check out."
    }
}
