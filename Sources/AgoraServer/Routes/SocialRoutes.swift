import AgoraStore
import Foundation
import Hummingbird

/// Follows, likes, people's counts and the activity feed (SPEC §5.1, §5.2, §6.4, §6.5).
struct SocialRoutes {
    let shop: Shop

    func register(on router: Router<ShopContext>) {
        router.post("/api/follow") { request, context in
            var request = request
            let body = try FollowRequest.decode(try await request.bodyData())
            let account = try await requireAccount(context)
            let result = try await follow(account, username: body.username, action: body.action)
            return Response.jsonObject { json in
                json.field("followers", result.followers)
                json.field("is_following", result.isFollowing)
                json.field("status", "ok")
            }
        }
        router.post("/account/follow") { request, context in
            var request = request
            let fields = try await request.formFields()
            let username = fields["username"] ?? ""
            guard let account = shop.account(context) else { return Response.seeOther("/account/login/?next=/people/\(username)/") }
            if account.username == username, shop.catalog.current.people[username]?.active == true {
                // The no-JavaScript form on your own profile: a page that says so, not an error.
                return shop.pages.render("notice", title: "This is your profile", url: "/account/follow",
                                         cart: try await shop.cart(context), values: ["notice": [
                    "title": "This is your own profile",
                    "message": "You cannot follow yourself, but people who visit this page can follow you.",
                    "link_url": "/people/\(username)/", "link_label": "Back to your profile",
                ]])
            }
            _ = try await follow(account, username: username, action: fields["action"] ?? "follow")
            return Response.seeOther(Self.back(request, fallback: "/people/\(username)/"))
        }
        router.get("/api/people/:username") { _, context in
            let username = try context.parameters.require("username")
            guard shop.catalog.current.people[username]?.active == true else { throw unknownPerson(username) }
            let social = shop.social
            let counts = try await social.followCounts(username)
            var isFollowing = false
            let viewer = shop.account(context)
            if let viewer { isFollowing = try await social.isFollowing(viewer.username, username) }
            return Response.json(object: ["username": username, "followers": counts.followers, "following": counts.following,
                                          "is_following": isFollowing, "is_self": viewer?.username == username])
        }
        router.post("/api/likes") { request, context in
            var request = request
            let body = try LikeRequest.decode(try await request.bodyData())
            let account = try await requireAccount(context)
            let result = try await like(account, sku: body.sku, action: body.action)
            return Response.jsonObject { json in
                json.field("liked", result.liked)
                json.field("likes", result.likes)
                json.field("status", "ok")
            }
        }
        router.post("/account/like") { request, context in
            var request = request
            let fields = try await request.formFields()
            let sku = fields["sku"] ?? ""
            let url = shop.catalog.current.product(sku: sku)?.url ?? "/catalog/"
            guard let account = shop.account(context) else { return Response.seeOther("/account/login/?next=\(url)") }
            _ = try await like(account, sku: sku, action: fields["action"] ?? "like")
            return Response.seeOther(Self.back(request, fallback: url))
        }
        router.get("/api/feed") { request, context in
            let account = try await requireAccount(context)
            let query = request.uri.queryParameters
            guard let limit = Int(String(query["limit"] ?? "10")), (1...FeedRules.maximumPage).contains(limit) else {
                throw ShopHTTPError.badRequest("limit must be a whole number from 1 to 50", field: "limit")
            }
            var cursor: Int64?
            if let before = query["before"].map(String.init), !before.isEmpty {
                guard let value = Int64(before), value > 0 else { throw ShopHTTPError.badRequest("before must be a cursor from `next`", field: "before") }
                cursor = value
            }
            let items = try await shop.feed.page(for: account.username, before: cursor, limit: limit)
            let catalog = shop.catalog.current
            let view = FeedView(catalog: catalog, now: shop.now)
            return Response.json(FeedPageJSON(items: shop.feedItems.json(for: items, catalog: catalog.generation, render: view.json),
                                                  next: items.count == limit ? items.last.map { String($0.id) } : nil))
        }
        router.get("/people/:username/activity.atom") { _, context in
            let username = try context.parameters.require("username")
            let current = shop.catalog.current
            guard let person = current.people[username], person.active else { throw unknownPerson(username) }
            let items = try await shop.feed.activity(of: username, limit: 50)
            let view = FeedView(catalog: current, now: shop.now)
            var headers = HTTPFields()
            headers[.contentType] = "application/atom+xml; charset=utf-8"
            headers[.cacheControl] = "public, max-age=60"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: view.atom(person: person, items: items))))
        }
    }

    struct FollowRequest: FlatJSONDecodable {
        let username: String
        let action: String

        init?(_ fields: FlatJSON) {
            guard let username = fields.string("username"), let action = fields.string("action") else { return nil }
            (self.username, self.action) = (username, action)
        }
    }

    struct LikeRequest: FlatJSONDecodable {
        let sku: String
        let action: String

        init?(_ fields: FlatJSON) {
            guard let sku = fields.string("sku"), let action = fields.string("action") else { return nil }
            (self.sku, self.action) = (sku, action)
        }
    }

    private func requireAccount(_ context: ShopContext) async throws -> Account {
        guard let account = shop.account(context) else {
            throw ShopHTTPError(.unauthorized, code: "login_required", message: "Log in to do that")
        }
        return account
    }

    private func unknownPerson(_ username: String) -> ShopHTTPError {
        ShopHTTPError(.notFound, code: "unknown_person", message: "No person with username \(username)", field: "username")
    }

    private func follow(_ account: Account, username: String, action: String) async throws -> (followers: Int, isFollowing: Bool) {
        guard action == "follow" || action == "unfollow" else { throw ShopHTTPError.badRequest("action must be follow or unfollow", field: "action") }
        guard shop.catalog.current.people[username]?.active == true else { throw unknownPerson(username) }
        guard username != account.username else {
            throw ShopHTTPError(.badRequest, code: "self_follow", message: "You cannot follow yourself", field: "username")
        }
        return try await shop.social.setFollow(follower: account.username, person: username, following: action == "follow")
    }

    private func like(_ account: Account, sku: String, action: String) async throws -> (likes: Int, liked: Bool) {
        guard action == "like" || action == "unlike" else { throw ShopHTTPError.badRequest("action must be like or unlike", field: "action") }
        _ = try shop.productForSale(sku)
        return try await shop.social.setLike(account: account.username, sku: sku, liking: action == "like")
    }

    /// Back to the page the form was on, when the Referer is this site; never elsewhere.
    static func back(_ request: Request, fallback: String) -> String {
        guard let referer = request.headers[.referer], let url = URLComponents(string: referer),
              let host = url.host, let authority = request.head.authority else { return fallback }
        let refererAuthority = url.port.map { "\(host):\($0)" } ?? host
        guard refererAuthority.lowercased() == authority.lowercased() else { return fallback }
        let path = url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath
        return AccountRoutes.safeNext(path + (url.percentEncodedQuery.map { "?" + $0 } ?? ""))
    }
}
