import AgoraPayments
import AgoraStore
import Foundation
import Hummingbird

/// The shop owner's pages (SPEC §5.1): orders with filters and pages, an order with its items,
/// mark paid, cancel, the CSV export and the manifest reload. Accounts with the admin flag only:
/// anonymous visitors are sent to log in, everyone else gets 403.
struct AdminRoutes {
    static let perPage = 25

    let shop: Shop
    let log: LogSink

    func register(on router: Router<ShopContext>) {
        router.get("/admin/orders/") { request, context in
            if let login = try await gate(request, context) { return login }
            let filter = try Self.filter(request)
            let page = try Self.page(request)
            let (orders, total) = try await shop.orders.list(filter, page: page, perPage: Self.perPage)
            let pages = max(1, (total + Self.perPage - 1) / Self.perPage)
            let symbol = shop.catalog.current.config.currencySymbol
            let query = Self.query(filter)
            return shop.pages.render("admin_orders", title: "Orders", url: "/admin/orders/", cart: nil, values: [
                "admin_orders": true,
                "orders": orders.map { order -> [String: Any] in
                    ["number": order.number, "status": order.status.rawValue, "date": AccountRoutes.day(order.createdAt),
                     "customer": "\(order.customer.firstName) \(order.customer.lastName)", "email": order.customer.email,
                     "items": order.items.reduce(0) { $0 + $1.quantity }, "total_display": symbol + order.total.decimalString]
                },
                "has_orders": !orders.isEmpty, "total": total,
                "filter": ["from": filter.from ?? "", "to": filter.to ?? "", "q": filter.search ?? "",
                           "updated_from": filter.updatedFrom ?? "", "updated_to": filter.updatedTo ?? "",
                           "statuses": ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"].map { ["value": $0, "selected": filter.status?.rawValue == $0] }]
                    as [String: Any],
                "csv_url": "/admin/orders.csv" + (query.isEmpty ? "" : "?" + query),
                "pagination": [
                    "current": page, "total": pages, "has_pages": pages > 1,
                    "has_prev": page > 1, "prev_url": "/admin/orders/?" + Self.join(query, "page=\(page - 1)"),
                    "has_next": page < pages, "next_url": "/admin/orders/?" + Self.join(query, "page=\(page + 1)"),
                ] as [String: Any],
            ])
        }
        router.get("/admin/orders/:number/") { request, context in
            if let login = try await gate(request, context) { return login }
            let order = try await order(context)
            let symbol = shop.catalog.current.config.currencySymbol
            return shop.pages.render("admin_order", title: "Order \(order.number)", url: "/admin/orders/\(order.number)/", cart: nil, values: [
                "order": [
                    "number": order.number, "status": order.status.rawValue, "date": AccountRoutes.day(order.createdAt),
                    "first_name": order.customer.firstName, "last_name": order.customer.lastName, "email": order.customer.email,
                    "address": order.customer.address, "postal_code": order.customer.postalCode, "city": order.customer.city,
                    "total_display": symbol + order.total.decimalString,
                    "charges": ChargesView.values(order, symbol: symbol), "fulfilment": OrderStatusView.values(order),
                    "can_mark_paid": order.status == .pending, "can_cancel": OrderChange.cancel.allowedFrom.contains(order.status),
                    "can_ship": order.status == .paid, "can_deliver": order.status == .shipped,
                    "can_refund": OrderChange.refund.allowedFrom.contains(order.status),
                    "refund_by_provider": shop.payments != nil && order.payment.reference != nil,
                    "notice": request.uri.queryParameters["notice"].map { Self.notices[String($0)] ?? "" } ?? false,
                    "payment_reference": order.payment.reference ?? false, "payment_failure": order.payment.failure ?? false,
                    "items": order.items.map { item -> [String: Any] in
                        ["sku": item.sku, "name": item.name, "quantity": item.quantity,
                         "price_display": symbol + item.unitPrice.decimalString, "total_display": symbol + item.total.decimalString]
                    },
                ] as [String: Any],
            ])
        }
        router.post("/admin/orders/:number/mark-paid") { request, context in
            if let login = try await gate(request, context) { return login }
            let number = try await order(context).number
            _ = try await transition { try await shop.orders.markPaid(number) }
            return Response.seeOther("/admin/orders/\(number)/")
        }
        router.post("/admin/orders/:number/cancel") { request, context in
            if let login = try await gate(request, context) { return login }
            let number = try await order(context).number
            _ = try await transition { try await shop.orders.cancel(number) }
            return Response.seeOther("/admin/orders/\(number)/")
        }
        router.post("/admin/orders/:number/ship") { request, context in
            if let login = try await gate(request, context) { return login }
            var request = request
            let fields = try await request.formFields()
            let shipment = Shipment(carrier: fields["carrier"], tracking: fields["tracking"])
            for (name, value) in [("carrier", shipment.carrier), ("tracking", shipment.tracking)] where (value?.count ?? 0) > Shipment.maxLength {
                throw ShopHTTPError.badRequest("The \(name) is longer than \(Shipment.maxLength) characters", field: name)
            }
            let number = try await order(context).number
            _ = try await transition { try await shop.orders.apply(.ship(shipment), to: number, note: nil) }
            shop.mail?.wake()
            return Response.seeOther("/admin/orders/\(number)/")
        }
        router.post("/admin/orders/:number/deliver") { request, context in
            if let login = try await gate(request, context) { return login }
            let number = try await order(context).number
            _ = try await transition { try await shop.orders.apply(.deliver, to: number, note: nil) }
            return Response.seeOther("/admin/orders/\(number)/")
        }
        router.post("/admin/orders/:number/refund") { request, context in
            if let login = try await gate(request, context) { return login }
            let order = try await order(context)
            if let refusal = OrderChange.refund.refusal(order.number, status: order.status) {
                throw ShopHTTPError(.conflict, code: "wrong_status", message: refusal.description)
            }
            guard let payments = shop.payments else {
                _ = try await transition { try await shop.orders.apply(.refund, to: order.number, note: "refunded by hand") }
                return Response.seeOther("/admin/orders/\(order.number)/")
            }
            let refunded: Order?
            do {
                refunded = try await transition { try await payments.refund(order) }
            } catch let error as PaymentError {
                log.write("order \(order.number): refund failed: \(error)")
                throw ShopHTTPError(.badGateway, code: "refund_failed", message: "The payment provider did not refund: \(error)")
            }
            return Response.seeOther("/admin/orders/\(order.number)/" + (refunded == nil ? "?notice=refund-pending" : ""))
        }
        router.get("/admin/orders.csv") { request, context in
            if let login = try await gate(request, context) { return login }
            let (orders, _) = try await shop.orders.list(try Self.filter(request), page: 1, perPage: Int.max / 2)
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8; header=present"
            headers[.contentDisposition] = "attachment; filename=\"orders.csv\""
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OrderCSV.document(orders))))
        }
        router.get("/admin/outbox/") { request, context in
            if let login = try await gate(request, context) { return login }
            let outbox = shop.outbox
            let counts = try await outbox.counts()
            let messages = try await outbox.all().map { message -> [String: Any] in
                ["id": message.id, "order": message.orderNumber, "recipient": message.recipient, "status": message.status.rawValue,
                 "attempts": message.attempts, "created": AccountRoutes.day(message.createdAt),
                 "last_error": message.lastError ?? false, "failed": message.status == .failed]
            }
            return shop.pages.render("admin_outbox", title: "Mail outbox", url: "/admin/outbox/", cart: nil, values: [
                "admin_outbox": true,
                "messages": messages, "has_messages": !messages.isEmpty,
                "counts": ["pending": counts.pending, "failed": counts.failed, "sent": counts.sent],
            ])
        }
        router.get("/admin/actions/") { request, context in
            if let login = try await gate(request, context) { return login }
            return try await actionsPage(request)
        }
        router.post("/admin/outbox/:id/retry") { request, context in
            if let login = try await gate(request, context) { return login }
            guard let id = Int64(try context.parameters.require("id")) else { throw ShopHTTPError.notFound() }
            try await shop.outbox.retry(id: id)
            shop.mail?.wake()
            return Response.seeOther("/admin/outbox/")
        }
        router.post("/admin/reload") { request, context in
            if let login = try await gate(request, context) { return login }
            do throws(CatalogError) {
                let catalog = try shop.catalog.reload()
                await shop.catalog.settle(in: shop.store, log: log)
                log.write("reloaded manifests: \(catalog.products.count) products, \(catalog.people.count) people")
                try? await shop.store.announceReload()  // the other servers on this database follow
                return Response.json(object: ["status": "ok", "products": catalog.products.count, "people": catalog.people.count])
            } catch {
                throw ShopHTTPError(.conflict, code: "invalid_manifest", message: error.description)
            }
        }
    }

    /// The activity stream for the owner (the original's ActionAdmin): every action, newest
    /// first, filtered by verb and actor, 50 a page, "Older" by the last id shown.
    private func actionsPage(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = ActionFilter()
        if let verb = query["verb"].map(String.init), !verb.isEmpty {
            guard ActionFilter.verbs.contains(verb) else {
                throw ShopHTTPError.badRequest("verb must be one of \(ActionFilter.verbs.joined(separator: ", "))", field: "verb")
            }
            filter.verb = verb
        }
        if let actor = query["actor"].map(String.init)?.trimmingCharacters(in: .whitespaces), !actor.isEmpty {
            guard actor.count <= 64 else { throw ShopHTTPError.badRequest("actor is a username of at most 64 characters", field: "actor") }
            filter.actor = actor.lowercased()
        }
        var cursor: Int64?
        if let text = query["before"], !text.isEmpty {
            guard let value = Int64(String(text)), value > 0 else {
                throw ShopHTTPError.badRequest("before must be an action id", field: "before")
            }
            cursor = value
        }
        let limit = FeedRules.maximumPage
        let actions = try await shop.feed.actions(filter, before: cursor, limit: limit + 1)
        let shown = actions.prefix(limit)
        let view = FeedView(catalog: shop.catalog.current, now: shop.now)
        let filterQuery = Self.queryString([("verb", filter.verb), ("actor", filter.actor)])
        return shop.pages.render("admin_actions", title: "Activity", url: "/admin/actions/", cart: nil, values: [
            "admin_actions": true,
            "actions": shown.map { item -> [String: Any] in
                var values = view.templateValues(item, placeholder: shop.pages.placeholderImage)
                values["date"] = AccountRoutes.day(item.createdAt)
                values["actor_username"] = item.actor
                values["actor_url"] = "/admin/actions/?" + Self.queryString([("verb", filter.verb), ("actor", item.actor)])
                return values
            },
            "has_actions": !shown.isEmpty,
            "filter": ["actor": filter.actor ?? "", "is_filtered": filter != ActionFilter(),
                       "verbs": ActionFilter.verbs.map { ["value": $0, "label": FeedView.phrase($0), "selected": filter.verb == $0] }]
                as [String: Any],
            "older_url": actions.count > limit ? "/admin/actions/?" + Self.join(filterQuery, "before=\(shown.last?.id ?? 0)") : false,
            "newest_url": cursor != nil ? "/admin/actions/" + (filterQuery.isEmpty ? "" : "?" + filterQuery) : false,
        ])
    }

    /// nil when the visitor is an admin; a redirect to the login page for anonymous visitors;
    /// 403 for everyone else.
    private func gate(_ request: Request, _ context: ShopContext) async throws -> Response? {
        guard let account = shop.account(context) else {
            let next = request.method == .get ? request.uri.path : "/admin/orders/"
            return Response.seeOther("/account/login/?next=\(next)")
        }
        guard account.isAdmin else {
            throw ShopHTTPError(.forbidden, code: "forbidden", message: "This page is for the shop's administrators")
        }
        return nil
    }

    private func order(_ context: ShopContext) async throws -> Order {
        guard let number = OrderNumber.normalize(try context.parameters.require("number")),
              let order = try await shop.orders.order(number: number) else { throw ShopHTTPError.notFound("There is no such order.") }
        return order
    }

    static let notices = ["refund-pending": "The refund was requested; the order is marked refunded when the payment provider confirms it."]

    private func transition<T>(_ change: () async throws -> T) async throws -> T {
        do {
            return try await change()
        } catch let error as OrderAdminError {
            throw ShopHTTPError(.conflict, code: "wrong_status", message: error.description)
        }
    }

    static func filter(_ request: Request) throws -> OrderFilter {
        let query = request.uri.queryParameters
        var filter = OrderFilter()
        if let status = query["status"].map(String.init), !status.isEmpty {
            guard let value = Order.Status(rawValue: status) else { throw ShopHTTPError.badRequest("Unknown status \(status)", field: "status") }
            filter.status = value
        }
        for (name, keyPath) in [("from", \OrderFilter.from), ("to", \OrderFilter.to),
                                ("updated_from", \OrderFilter.updatedFrom), ("updated_to", \OrderFilter.updatedTo)] {
            if let day = query[Substring(name)].map(String.init), !day.isEmpty {
                guard OrderFilter.epoch(day) != nil else { throw ShopHTTPError.badRequest("\(name) must be a date like 2026-01-31", field: name) }
                filter[keyPath: keyPath] = day
            }
        }
        if let search = query["q"].map(String.init)?.trimmingCharacters(in: .whitespaces), !search.isEmpty {
            guard search.count <= 200 else { throw ShopHTTPError.badRequest("The search is limited to 200 characters", field: "q") }
            filter.search = search
        }
        return filter
    }

    /// `?page=N`, 1 to a million (SPEC §6.11: a number from a URL is range-checked before use).
    static func page(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["page"], !text.isEmpty else { return 1 }
        guard let page = Int(String(text)), (1...1_000_000).contains(page) else {
            throw ShopHTTPError.badRequest("page must be a whole number from 1 to 1,000,000", field: "page")
        }
        return page
    }

    static func query(_ filter: OrderFilter) -> String {
        let fields: [(String, String?)] = [("status", filter.status?.rawValue), ("from", filter.from), ("to", filter.to),
                                           ("updated_from", filter.updatedFrom), ("updated_to", filter.updatedTo),
                                           ("q", filter.search)]
        return queryString(fields)
    }

    /// `name=value&…` of the fields that have a value, each value percent-encoded.
    static func queryString(_ fields: [(String, String?)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#?")
        return fields.compactMap { name, value in
            value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
        }.joined(separator: "&")
    }

    static func join(_ query: String, _ extra: String) -> String { query.isEmpty ? extra : query + "&" + extra }
}
