import AgoraStore
import Foundation
import HTTPTypes
import Hummingbird

/// Live product facts, health, the API description and the manifest reload.
struct SystemRoutes {
    let shop: Shop
    /// `openapi.yaml`, served at `/api/openapi.yaml` when Agora's installation has it.
    let openAPIDocument: URL?
    let log: LogSink

    func register(on router: Router<ShopContext>) {
        router.get("/api/products/:sku") { _, context in
            let sku = try context.parameters.require("sku")
            guard let product = shop.catalog.current.product(sku: sku) else {
                throw ShopHTTPError(.notFound, code: "unknown_product", message: "No product with sku \(sku)", field: "sku")
            }
            let left = product.available ? max(0, try await shop.carts.unitsLeft(product.item)) : 0
            let counts = try await shop.counters.counts(.product, sku)
            var liked = false
            if let account = shop.account(context) { liked = try await shop.social.hasLiked(account.username, sku) }
            return try Response.json(ProductJSON(sku: sku, stock: left, available: product.available && left > 0,
                                                 views: counts.views, likes: counts.likes, liked: liked))
        }
        router.get("/healthz") { _, _ in
            let healthy = await shop.store.isHealthy()
            return Response.jsonObject(status: healthy ? .ok : .serviceUnavailable) { json in
                json.field("backend", shop.store.backend)
                json.field("status", healthy ? "ok" : "unavailable")
            }
        }
        router.get("/api/openapi.yaml") { _, _ in
            guard let openAPIDocument, let data = FileManager.default.contents(atPath: openAPIDocument.path) else {
                throw ShopHTTPError.notFound("The API description is not installed")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}

/// `GET /api/products/<sku>` (SPEC §5.2).
struct ProductJSON: Encodable {
    let sku: String
    let stock: Int
    let available: Bool
    let views: Int
    let likes: Int
    let liked: Bool
}
