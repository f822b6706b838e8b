import AgoraStore
import Foundation
import Hummingbird

/// View beacons and rankings (SPEC §5.2, §6.6). A beacon never creates a session.
struct ViewRoutes {
    let shop: Shop

    func register(on router: Router<ShopContext>) {
        router.post("/api/views/product/:sku") { _, context in
            let sku = try context.parameters.require("sku")
            guard shop.catalog.current.product(sku: sku)?.available == true else {
                throw ShopHTTPError(.notFound, code: "unknown_product", message: "No product with sku \(sku)", field: "sku")
            }
            let total = try await shop.counters.increment(.product, sku)
            shop.metrics.viewCounted()
            return Response.views(total)
        }
        router.post("/api/views/person/:username") { _, context in
            let username = try context.parameters.require("username")
            guard shop.catalog.current.people[username]?.active == true else {
                throw ShopHTTPError(.notFound, code: "unknown_person", message: "No person with username \(username)", field: "username")
            }
            let total = try await shop.counters.increment(.person, username)
            shop.metrics.viewCounted()
            return Response.views(total)
        }
        router.get("/api/ranking") { request, _ in
            let query = request.uri.queryParameters
            guard let kind = CounterKind(rawValue: String(query["kind"] ?? "product")) else {
                throw ShopHTTPError.badRequest("kind must be product or person", field: "kind")
            }
            guard let order = RankingOrder(rawValue: String(query["by"] ?? "views")) else {
                throw ShopHTTPError.badRequest("by must be views or likes", field: "by")
            }
            guard let limit = Int(String(query["limit"] ?? "10")), (1...100).contains(limit) else {
                throw ShopHTTPError.badRequest("limit must be a whole number from 1 to 100", field: "limit")
            }
            return Response.json(object: try await ranking(kind, order: order, limit: limit).map(\.json))
        }
        router.get("/ranking/") { _, context in
            let current = shop.catalog.current
            let placeholder = shop.pages.placeholderImage
            let entries = try await ranking(.product, order: .views, limit: 10).enumerated().map { index, entry -> [String: Any] in
                let product = current.product(sku: entry.key)
                return ["rank": index + 1, "sku": entry.key, "name": entry.name, "url": entry.url, "views": entry.views,
                        "likes": entry.likes, "image_url": product?.thumbnail?.url ?? product?.image ?? placeholder, "has_image": product?.image != nil,
                        "image_srcset": product?.thumbnail?.srcset ?? false]
            }
            return shop.pages.render("ranking", title: "Most viewed", url: "/ranking/", cart: try await shop.cart(context),
                                     values: ["products": entries, "has_products": !entries.isEmpty])
        }
    }

    struct RankedEntry {
        let key: String
        let kind: CounterKind
        let name: String
        let url: String
        let views: Int
        let likes: Int

        var json: [String: Any] {
            [kind == .product ? "sku" : "username": key, "name": name, "url": url, "views": views, "likes": likes]
        }
    }

    /// The top entries that are still on the site, with their names and URLs from the manifests.
    private func ranking(_ kind: CounterKind, order: RankingOrder, limit: Int) async throws -> [RankedEntry] {
        let current = shop.catalog.current
        @Sendable func describe(_ key: String) -> (name: String, url: String)? {
            switch kind {
            case .product: return current.product(sku: key).flatMap { $0.available ? ($0.name, $0.url) : nil }
            case .person: return current.people[key].flatMap { $0.active ? ($0.name, $0.url) : nil }
            }
        }
        return try await shop.counters.ranking(kind, by: order, limit: limit) { describe($0) != nil }.compactMap { entry in
            describe(entry.key).map { RankedEntry(key: entry.key, kind: kind, name: $0.name, url: $0.url, views: entry.views, likes: entry.likes) }
        }
    }
}

extension Response {
    /// `{"views": N}`, written directly: beacons are the hottest path in the server.
    static func views(_ total: Int) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{\"views\":\(total)}")))
    }
}
