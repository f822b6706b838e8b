import AgoraPayments
import AgoraStore
import Foundation
import HTTPTypes
import Hummingbird

/// Checkout and the thank-you page (SPEC §5.1), and `POST /api/orders` with `Idempotency-Key`.
struct OrderRoutes {
    let shop: Shop
    let log: LogSink

    func register(on router: Router<ShopContext>) {
        router.get("/orders/checkout/") { request, context in
            try await checkoutPage(context, form: nil, status: .ok,
                                   remembered: CountryChoice.remembered(request, shipping: shop.catalog.current.config.shipping))
        }
        router.post("/orders/checkout/") { request, context in
            var request = request
            let form = CheckoutForm(try await request.formFields(), shipping: shop.catalog.current.config.shipping)
            rememberCountry(form, context)
            guard form.errors.isEmpty else { return try await checkoutPage(context, form: form, status: .unprocessableContent) }
            guard let session = context.session, !(try await shop.carts.cart(session.cartOwner).isEmpty) else {
                throw ShopHTTPError(ShopError.emptyCart)
            }
            do {
                let order = try await place(form, session: session, idempotency: nil)
                return Response.seeOther("/orders/\(order.number)/")
            } catch ShopError.noLongerForSale {
                // The checkout page again, with what was typed and the lines to remove named.
                return try await checkoutPage(context, form: form, status: .conflict)
            }
        }
        router.get("/orders/:number/") { request, context in
            let key = request.uri.queryParameters["key"].map(String.init)
            let order = try await visibleOrder(try context.parameters.require("number"), key: key, context: context)
            let current = shop.catalog.current
            let symbol = current.config.currencySymbol
            let payment = await paymentValues(order, linkKey: key)
            var response = shop.pages.render("order", title: "Thank you", url: "/orders/\(order.number)/", cart: try await shop.cart(context), values: [
                "order": [
                    "number": order.number, "status": order.status.rawValue, "first_name": order.customer.firstName,
                    "status_label": OrderStatusView.label(order.status), "fulfilment": OrderStatusView.values(order),
                    "payment": payment ?? false,
                    "email": order.customer.email, "total_display": symbol + order.total.decimalString,
                    "charges": ChargesView.values(order, symbol: symbol),
                    "link": current.config.absoluteURL(try await shop.orderLinks.links().path(for: order.number)),
                    "items": order.items.map { item -> [String: Any] in
                        ["sku": item.sku, "name": item.name, "quantity": item.quantity, "url": current.product(sku: item.sku)?.url ?? false,
                         "price_display": symbol + item.unitPrice.decimalString, "total_display": symbol + item.total.decimalString]
                    },
                ] as [String: Any],
            ])
            // Stripe.js and the API it talks to are allowed on this page only, and only while it offers a payment.
            if payment != nil, let setup = shop.payments?.provider.browser {
                response.headers[.contentSecurityPolicy] = PaymentPagePolicy.contentSecurityPolicy(for: setup)
            }
            return response
        }
        router.get("/api/orders/:number") { request, context in
            let key = request.uri.queryParameters["key"].map(String.init)
            let order = try await visibleOrder(try context.parameters.require("number"), key: key, context: context)
            return try Response.json(OrderJSON(order, catalog: shop.catalog.current))
        }
        router.post("/api/orders/:number/payment") { request, context in
            var request = request
            let key = request.uri.queryParameters["key"].map(String.init)
            let order = try await visibleOrder(try context.parameters.require("number"), key: key, context: context)
            guard let payments = shop.payments else {
                throw ShopHTTPError(.notFound, code: "payments_not_enabled", message: "This shop does not take card payments online")
            }
            guard order.status == .pending else {
                throw ShopHTTPError(.conflict, code: "not_payable", message: "Order \(order.number) is \(order.status.rawValue), not waiting for payment")
            }
            let body = try JSONDecoder().decode(PaymentRequest.self, from: try await request.bodyData())
            guard !body.token.isEmpty, body.token.count <= 255 else {
                throw ShopHTTPError(.unprocessableContent, code: "invalid_token", message: "Send the card token Stripe.js made", field: "token")
            }
            do {
                let payment = try await payments.pay(order, token: body.token)
                return try Response.json(PaymentJSON(payment))
            } catch let error as PaymentError {
                throw ShopHTTPError(payment: error)
            }
        }

        router.post("/api/orders") { request, context in
            var request = request
            let body = try await request.bodyData()
            let fields = try JSONDecoder().decode([String: String].self, from: body)
            let form = CheckoutForm(fields, shipping: shop.catalog.current.config.shipping)
            rememberCountry(form, context)
            if let error = form.firstError { throw error }
            guard let session = context.session else { throw ShopHTTPError(ShopError.emptyCart) }
            guard let key = try idempotencyKey(request, form: form, session: session) else {
                return try Response.json(OrderJSON(try await place(form, session: session, idempotency: nil), catalog: shop.catalog.current),
                                         status: .created)
            }
            switch try await shop.idempotency.begin(key) {
            case .replay(let number):
                guard let order = try await shop.orders.order(number: number) else { throw ShopHTTPError.notFound() }
                return try Response.json(OrderJSON(order, catalog: shop.catalog.current), status: .ok)
            case .mismatch:
                throw ShopHTTPError(.unprocessableContent, code: "idempotency_key_reused",
                                    message: "This Idempotency-Key was used with a different request")
            case .inProgress:
                throw ShopHTTPError(.conflict, code: "idempotency_key_in_use",
                                    message: "A request with this Idempotency-Key is still being processed")
            case .proceed:
                do {
                    let order = try await place(form, session: session, idempotency: key)
                    return try Response.json(OrderJSON(order, catalog: shop.catalog.current), status: .created)
                } catch {
                    try? await shop.idempotency.abandon(key)
                    throw error
                }
            }
        }
    }

    private func place(_ form: CheckoutForm, session: Session, idempotency: IdempotencyKey?) async throws -> Order {
        let config = shop.catalog.current.config
        let order = try await shop.orders.placeOrder(for: session.cartOwner, session: session, customer: form.customer,
                                               currency: config.currency, catalog: shop.catalogLookup,
                                               pricing: PricingRules(shipping: config.shipping, tax: config.tax),
                                               idempotency: idempotency)
        // The owner hears of every order (SPEC §6.9); queued before the answer, sent by the worker.
        // The order stands either way: a notice that cannot be queued is logged, not the shopper's problem.
        if let owner = config.ownerEmail {
            do {
                try await shop.outbox.enqueue(kind: OrderMail.newOrderKind, orderNumber: order.number, recipient: owner)
            } catch {
                log.write("order \(order.number): the owner's new_order mail could not be queued: \(error)")
            }
        }
        await shop.payments?.open(order)
        shop.mail?.wake()
        shop.metrics.orderPlaced()
        return order
    }

    /// What the order page needs to offer a card payment; nil when there is nothing to pay.
    private func paymentValues(_ order: Order, linkKey: String?) async -> [String: Any]? {
        guard let payments = shop.payments, order.status == .pending else { return nil }
        let symbol = shop.catalog.current.config.currencySymbol
        var values: [String: Any] = ["number": order.number, "total_display": symbol + order.total.decimalString,
                                     "script": payments.provider.browser.scriptURL,
                                     "publishable_key": payments.provider.browser.publishableKey,
                                     "link_key": linkKey ?? "", "failure": order.payment.failure ?? false, "unavailable": false]
        // A payment that failed to open at checkout is opened now; an open one needs no round trip
        // to the provider (paying starts a new attempt when the last one failed).
        do {
            if order.payment.reference == nil { _ = try await payments.current(order) }
        } catch {
            log.write("order \(order.number): the payment could not be opened: \(error)")
            values["unavailable"] = true
        }
        return values
    }

    /// The key, scoped to the session, with a digest of the checkout fields; nil without a key.
    private func idempotencyKey(_ request: Request, form: CheckoutForm, session: Session) throws -> IdempotencyKey? {
        guard let value = request.headers[.idempotencyKey] else { return nil }
        guard !value.isEmpty, value.count <= 255 else {
            throw ShopHTTPError(.badRequest, code: "invalid_idempotency_key", message: "Idempotency-Key must be 1 to 255 characters")
        }
        let canonical = (CheckoutForm.fields.map(\.name) + ["country"]).map { "\($0)=\(form.values[$0] ?? "")" }.joined(separator: "\n")
        return IdempotencyKey(scope: session.cartOwner.description, value: value, requestHash: Tokens.hash(canonical))
    }

    /// Whoever has the order's link (its `key`, from the mail), the session or account that placed
    /// it, or an admin may see it; everyone else gets 404, which does not even confirm that the
    /// number exists.
    private func visibleOrder(_ number: String, key: String?, context: ShopContext) async throws -> Order {
        let unknown = ShopHTTPError.notFound("There is no order with that number in this session.")
        guard let normalized = OrderNumber.normalize(number), let order = try await shop.orders.order(number: normalized) else {
            throw unknown
        }
        if let key, try await shop.orderLinks.links().verify(key, for: order.number) { return order }
        guard let session = context.session else { throw unknown }
        let owner = order.sessionHash == session.idHash || (order.accountID != nil && order.accountID == session.accountID)
        let isAdmin = shop.account(context)?.isAdmin == true
        guard owner || isAdmin else {
            throw ShopHTTPError.notFound("There is no order with that number in this session.")
        }
        return order
    }

    /// A country the shop ships to, chosen at checkout, is remembered for the next cart's estimate.
    private func rememberCountry(_ form: CheckoutForm, _ context: ShopContext) {
        if let country = CountryChoice.valid(form.values["country"], shipping: shop.catalog.current.config.shipping) {
            CountryChoice.remember(country, context, secure: shop.sessions.secureCookies)
        }
    }

    private func checkoutPage(_ context: ShopContext, form: CheckoutForm?, status: HTTPResponse.Status,
                              remembered: String? = nil) async throws -> Response {
        let cart = try await shop.cart(context)
        let errors = form?.errors ?? [:]
        let fields = CheckoutForm.fields.map { field -> [String: Any] in
            var values: [String: Any] = ["name": field.name, "label": field.label, "value": form?.values[field.name] ?? "",
                                         "limit": field.limit, "type": field.name == "email" ? "email" : "text",
                                         "autocomplete": Self.autocomplete[field.name] ?? "on"]
            values["error"] = errors[field.name] ?? false
            return values
        }
        // With shipping zones, a select of the countries they ship to (SPEC §6.8).
        var country: Any = false
        if let shipping = shop.catalog.current.config.shipping {
            let chosen = form?.values["country"] ?? remembered ?? ""
            country = [
                "options": shipping.countries.map { ["code": $0.code, "name": $0.name, "selected": $0.code == chosen] },
                "error": errors["country"] ?? false,
            ] as [String: Any]
        }
        return shop.pages.render("checkout", title: "Checkout", url: "/orders/checkout/", cart: cart, status: status, values: [
            "cart": CartView(cart, catalog: shop.catalog.current).templateValues(placeholder: shop.pages.placeholderImage), "fields": fields,
            "has_errors": !errors.isEmpty, "country": country,
            "estimate": ShippingEstimate.values(cart, country: CountryChoice.valid(form?.values["country"], shipping: shop.catalog.current.config.shipping) ?? remembered,
                                                config: shop.catalog.current.config)["estimate"] ?? false,
        ])
    }

    static let autocomplete = ["first_name": "given-name", "last_name": "family-name", "email": "email",
                               "address": "street-address", "postal_code": "postal-code", "city": "address-level2"]
}

struct PaymentRequest: Decodable {
    let token: String
}

/// `POST /api/orders/<number>/payment` answers: the payment's state, and the client secret only
/// when the browser must finish a 3-D Secure step with it.
struct PaymentJSON: Encodable {
    let status: String
    let client_secret: String?

    init(_ payment: ProviderPayment) {
        status = payment.status.rawValue
        client_secret = payment.status == .requiresAction ? payment.clientSecret : nil
    }
}

/// `POST /api/orders` answers (SPEC §5.2).
struct OrderJSON: Encodable {
    struct Event: Encodable {
        let status: String
        let at: String
    }
    struct Item: Encodable {
        let sku: String
        let name: String
        let quantity: Int
        let price: String
        let total: String
    }
    let number: String
    let status: String
    let items: [Item]
    let country: String
    let subtotal: String
    let shipping: String
    let tax: String
    let tax_included: Bool
    let total: String
    let currency: String
    let history: [Event]
    let carrier: String?
    let tracking: String?
    let payment_error: String?

    init(_ order: Order, catalog: Catalog) {
        history = order.history.map { Event(status: $0.status.rawValue, at: HTTPDate.iso8601(Date(timeIntervalSince1970: TimeInterval($0.at)))) }
        carrier = order.shipment?.carrier
        tracking = order.shipment?.tracking
        payment_error = order.payment.failure
        number = order.number
        status = order.status.rawValue
        items = order.items.map { Item(sku: $0.sku, name: $0.name, quantity: $0.quantity, price: $0.unitPrice.decimalString,
                                       total: $0.total.decimalString) }
        country = order.customer.country
        subtotal = order.charges.subtotal.decimalString
        shipping = order.charges.shipping.decimalString
        tax = order.charges.tax.decimalString
        tax_included = order.charges.taxIncluded
        total = order.total.decimalString
        currency = order.currency
    }
}
