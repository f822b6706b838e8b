import AgoraMail
import AgoraStore
import Foundation

/// Everything a route handler needs, built once at start.
struct Shop: Sendable {
    let database: AgoraDatabase
    let catalog: LiveCatalog
    let sessions: Sessions
    let pages: DynamicPages
    let carts: CartStore
    let orders: OrderStore
    let idempotency: IdempotencyStore
    let views: ViewCounter
    let accounts: AccountStore
    /// Woken after each order so its confirmation leaves at once.
    let mail: OutboxWorker?
    let metrics: ShopMetrics

    init(database: AgoraDatabase, catalog: LiveCatalog, pages: DynamicPages, secureCookies: Bool, mail: OutboxWorker?,
         metrics: ShopMetrics) {
        self.mail = mail
        self.metrics = metrics
        self.database = database
        self.catalog = catalog
        self.pages = pages
        sessions = Sessions(store: SessionStore(database), secureCookies: secureCookies)
        carts = CartStore(database)
        orders = OrderStore(database)
        idempotency = IdempotencyStore(database)
        views = ViewCounter(database)
        accounts = AccountStore(database)
    }

    /// The logged-in account, if any.
    func account(_ context: ShopContext) throws -> Account? {
        guard let id = context.session?.accountID else { return nil }
        return try accounts.account(id: id)
    }

    /// The product for sale under `sku`, or 404.
    func productForSale(_ sku: String) throws -> Catalog.Product {
        guard let product = catalog.current.product(sku: sku), product.available else {
            throw ShopHTTPError(.notFound, code: "unknown_product", message: "No product with sku \(sku) is for sale", field: "sku")
        }
        return product
    }

    /// The visitor's cart; empty (and no session created) for a visitor without one.
    func cart(_ context: ShopContext) throws -> Cart {
        guard let session = context.session else { return Cart(lines: []) }
        return try carts.cart(session.cartOwner)
    }

    var catalogLookup: @Sendable (String) -> CatalogItem? {
        let current = catalog.current
        return { current.product(sku: $0)?.item }
    }
}
