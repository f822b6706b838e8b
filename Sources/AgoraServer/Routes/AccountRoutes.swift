import AgoraStore
import Foundation
import Hummingbird

/// Register, log in, log out and the account dashboard (SPEC §5.1, §6.1).
struct AccountRoutes {
    let shop: Shop

    func register(on router: Router<ShopContext>) {
        router.get("/account/register/") { _, context in
            try await page("register", title: "Create an account", url: "/account/register/", context: context, values: [:])
        }
        router.post("/account/register/") { request, context in
            var request = request
            var context = context
            let fields = try await request.formFields()
            let values = ["username": fields["username"] ?? "", "email": fields["email"] ?? "", "name": fields["name"] ?? ""]
            var errors: [String: String] = [:]
            for problem in Accounts.problems(username: values["username"] ?? "", email: values["email"] ?? "",
                                                 name: values["name"] ?? "", password: fields["password"] ?? "") {
                errors[problem.field] = problem.message
            }
            let username = (values["username"] ?? "").lowercased()
            if errors.isEmpty, shop.catalog.current.people[username] != nil {
                // A person's username belongs to that person; only its owner creates it, with `agora users create`.
                return try await registerPage(context, values: values, errors: ["username": "This username belongs to a maker's profile"],
                                        status: .conflict)
            }
            guard errors.isEmpty else { return try await registerPage(context, values: values, errors: errors, status: .unprocessableContent) }
            do {
                let account = try await shop.accounts.create(username: username, email: values["email"] ?? "", name: values["name"] ?? "",
                                                       password: fields["password"] ?? "")
                try await logIn(account, context: &context)
                return Response.seeOther("/account/")
            } catch AccountError.usernameTaken {
                return try await registerPage(context, values: values, errors: ["username": "This username is taken"], status: .conflict)
            }
        }
        router.get("/account/login/") { request, context in
            let next = Self.safeNext(request.uri.queryParameters["next"].map(String.init))
            return try await page("login", title: "Log in", url: "/account/login/", context: context,
                            values: ["next": next, "username": ""])
        }
        router.post("/account/login/") { request, context in
            var request = request
            var context = context
            let fields = try await request.formFields()
            let next = Self.safeNext(fields["next"])
            let username = fields["username"] ?? ""
            do {
                let account = try await shop.accounts.authenticate(username: username, password: fields["password"] ?? "",
                                                                   client: context.clientAddress)
                try await logIn(account, context: &context)
                return Response.seeOther(next)
            } catch AccountError.tooManyAttempts(let retryAfter) {
                var response = try await page("login", title: "Log in", url: "/account/login/", context: context, status: .tooManyRequests, values: [
                    "next": next, "username": username,
                    "error": "Too many failed attempts from your address. Try again in \(max(1, (retryAfter + 59) / 60)) minutes.",
                ])
                response.headers[.retryAfter] = String(retryAfter)
                return response
            } catch AccountError.wrongCredentials {
                return try await page("login", title: "Log in", url: "/account/login/", context: context, status: .unprocessableContent,
                                values: ["next": next, "username": username, "error": "Wrong username or password"])
            }
        }
        router.post("/account/logout/") { _, context in
            if let session = context.session { try await shop.sessions.store.delete(session) }
            context.cookies.add(shop.sessions.expiredCookie())
            return Response.seeOther("/")
        }
        router.get("/account/") { _, context in
            guard let account = shop.account(context) else { return Response.seeOther("/account/login/?next=/account/") }
            let symbol = shop.catalog.current.config.currencySymbol
            let orders = try await shop.orders.orders(accountID: account.id).map { order -> [String: Any] in
                ["number": order.number, "status": order.status.rawValue, "date": Self.day(order.createdAt),
                 "total_display": symbol + order.total.decimalString, "items": order.items.reduce(0) { $0 + $1.quantity }]
            }
            let current = shop.catalog.current
            let feed = try await shop.feed.page(for: account.username, before: nil, limit: 10)
            let view = FeedView(catalog: current, now: shop.now)
            let placeholder = shop.pages.placeholderImage
            let follows = try await shop.social.following(account.username).compactMap { username -> [String: Any]? in
                guard let person = current.people[username], person.active else { return nil }
                return ["username": username, "name": person.name, "url": person.url]
            }
            return try await page("account", title: "Your account", url: "/account/", context: context, values: [
                "account": ["username": account.username, "name": account.name, "email": account.email,
                            "is_admin": account.isAdmin] as [String: Any],
                "orders": orders, "has_orders": !orders.isEmpty,
                "feed": feed.map { view.templateValues($0, placeholder: placeholder) }, "has_feed": !feed.isEmpty,
                "feed_next": feed.count == 10 ? String(feed.last?.id ?? 0) : "",
                "follows": follows, "has_follows": !follows.isEmpty,
            ])
        }
    }

    /// A new session for the account in place of the current one; the anonymous cart is merged.
    private func logIn(_ account: Account, context: inout ShopContext) async throws {
        let (secret, session) = try await shop.sessions.store.logIn(account, replacing: context.session, catalog: shop.catalogLookup)
        context.session = session
        context.cookies.add(shop.sessions.cookie(secret))
    }

    /// Only paths on this site: `/x`, never `//host`, `/\host` or `https://…` (no open redirects).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
              !next.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return "/account/" }
        return next
    }

    static func day(_ seconds: Int64) -> String {
        HTTPDate.iso8601(Date(timeIntervalSince1970: TimeInterval(seconds))).prefix(10).description
    }

    private func registerPage(_ context: ShopContext, values: [String: String], errors: [String: String],
                              status: HTTPResponse.Status) async throws -> Response {
        var fields: [String: Any] = values
        fields["errors"] = errors
        fields["has_errors"] = !errors.isEmpty
        return try await page("register", title: "Create an account", url: "/account/register/", context: context, status: status, values: fields)
    }

    private func page(_ template: String, title: String, url: String, context: ShopContext, status: HTTPResponse.Status = .ok,
                      values: [String: Any]) async throws -> Response {
        shop.pages.render(template, title: title, url: url, cart: try await shop.cart(context), status: status, values: ["form": values])
    }
}
