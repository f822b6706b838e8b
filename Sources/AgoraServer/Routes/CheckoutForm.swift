import AgoraContent
import AgoraStore

/// The checkout fields with their rules (SPEC §6.3): every field required, email syntax,
/// lengths (names ≤ 50, address ≤ 250, postal code ≤ 20, city ≤ 100, in characters and at most
/// four bytes each), and no control or text-direction characters (`ShortText`), which also keeps
/// them out of mail headers. The email must be one the order mail can be sent to.
struct CheckoutForm: Sendable, Equatable {
    static let fields: [(name: String, label: String, limit: Int)] = [
        ("first_name", "First name", 50), ("last_name", "Last name", 50), ("email", "Email", 254),
        ("address", "Address", 250), ("postal_code", "Postal code", 20), ("city", "City", 100),
    ]

    let values: [String: String]
    /// The shop's shipping zones; with them, `country` is asked for and must be one they ship to.
    let shipping: ShippingRules?

    init(_ values: [String: String], shipping: ShippingRules? = nil) {
        var trimmed: [String: String] = [:]
        for field in Self.fields { trimmed[field.name] = (values[field.name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        trimmed["country"] = shipping == nil ? "" : (values["country"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        self.values = trimmed
        self.shipping = shipping
    }

    static func == (left: CheckoutForm, right: CheckoutForm) -> Bool { left.values == right.values }

    /// Why the country cannot be shipped to, or nil.
    var countryError: String? {
        guard let shipping else { return nil }
        let code = values["country"] ?? ""
        guard !code.isEmpty else { return "Choose the country to ship to" }
        guard Countries.name(code) != nil, shipping.zone(for: code) != nil else {
            return "We do not ship to \(Countries.name(code) ?? code)"
        }
        return nil
    }

    /// One message per field at fault.
    var errors: [String: String] {
        var errors: [String: String] = [:]
        for field in Self.fields {
            if let problem = ShortText.problem(values[field.name] ?? "", limit: field.limit) {
                errors[field.name] = ShortText.message(problem, label: field.label)
            }
        }
        if errors["email"] == nil, let email = values["email"], !Identifier.isEmail(email) {
            errors["email"] = "Enter an email address like name@example.com"
        }
        if let problem = countryError { errors["country"] = problem }
        return errors
    }

    /// The first problem, for JSON clients, in form order.
    var firstError: ShopHTTPError? {
        let errors = self.errors
        guard let field = (Self.fields.map(\.name) + ["country"]).first(where: { errors[$0] != nil }) else { return nil }
        return ShopHTTPError(.unprocessableContent, code: "invalid_field", message: errors[field] ?? "", field: field)
    }

    var customer: Customer {
        Customer(firstName: values["first_name"] ?? "", lastName: values["last_name"] ?? "", email: values["email"] ?? "",
                 address: values["address"] ?? "", postalCode: values["postal_code"] ?? "", city: values["city"] ?? "",
                 country: values["country"] ?? "")
    }
}
