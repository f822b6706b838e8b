import AgoraMail
import AgoraStore
import Foundation

/// Everything a route handler needs, built once at start. The store is reached only through
/// its protocols (`ShopStore`), whatever the backend.
struct Shop: Sendable {
    let store: any ShopStore
    let catalog: LiveCatalog
    let sessions: Sessions
    let pages: DynamicPages
    let accounts: Accounts
    /// Woken after each order so its confirmation leaves at once.
    let mail: OutboxWorker?
    let metrics: ShopMetrics
    /// Signs and checks the keys of order links.
    let orderLinks: OrderLinkKeys

    /// Card payments (`--payments stripe`); nil when the owner marks orders paid by hand.
    let payments: PaymentDesk?
    /// `GET /api/feed` items already written.
    let feedItems = FeedItemCache()

    init(store: any ShopStore, catalog: LiveCatalog, pages: DynamicPages, secureCookies: Bool, mail: OutboxWorker?,
         metrics: ShopMetrics, orderLinks: OrderLinkKeys, payments: PaymentDesk? = nil) {
        self.payments = payments
        self.orderLinks = orderLinks
        self.store = store
        self.mail = mail
        self.metrics = metrics
        self.catalog = catalog
        self.pages = pages
        sessions = Sessions(store: store.sessions, secureCookies: secureCookies, lifetime: store.sessionRules.lifetime)
        accounts = store.accountRules
    }

    var carts: any CartStore { store.carts }
    var orders: any OrderStore { store.orders }
    var idempotency: any IdempotencyStore { store.idempotency }
    var social: any SocialStore { store.social }
    var feed: any FeedStore { store.feed }
    var counters: any CounterStore { store.counters }
    var outbox: any OutboxStore { store.outbox }
    var now: Int64 { store.clock.now() }

    /// The logged-in account, if any: read with the session, no query of its own.
    func account(_ context: ShopContext) -> Account? {
        context.session?.account
    }

    /// The product for sale under `sku`, or 404.
    func productForSale(_ sku: String) throws -> Catalog.Product {
        guard let product = catalog.current.product(sku: sku), product.available else {
            throw ShopHTTPError(.notFound, code: "unknown_product", message: "No product with sku \(sku) is for sale", field: "sku")
        }
        return product
    }

    /// The visitor's cart; empty (and no session created) for a visitor without one.
    func cart(_ context: ShopContext) async throws -> Cart {
        guard let session = context.session else { return Cart(lines: []) }
        return try await carts.cart(session.cartOwner)
    }

    var catalogLookup: @Sendable (String) -> CatalogItem? {
        let current = catalog.current
        return { current.product(sku: $0)?.item }
    }
}
