import AgoraPayments
import AgoraMail
import AgoraStore
import AgoraTheme
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `agora serve`: the built site and the shop's live parts in one process (SPEC §5).
public struct ShopServer: Sendable {
    /// Request bodies are capped at 64 KiB (SPEC §6.2).
    public static let bodyLimit = 64 * 1024

    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var output: URL
        public var secureCookies: Bool
        public var openAPIDocument: URL?
        public var log: LogSink
        /// Where order mail goes; nil keeps it in the outbox.
        public var mail: (any MailTransport)?
        public var mailSettings: OutboxWorker.Settings
        /// With `--watch`: pages get a script that reloads them after each rebuild.
        public var liveReload: LiveReload?
        /// Header, idle and body deadlines of every connection (SPEC §6.11).
        public var timeouts: ConnectionTimeouts
        /// Peers whose `X-Forwarded-For` names the client (`--trusted-proxy`), such as nginx on this machine.
        public var trustedProxies: Set<String>
        /// `/metrics` for everyone, not only for clients on this machine (`--metrics-public`).
        public var metricsPublic: Bool
        /// How often expired sessions, orphaned carts and old idempotency keys are purged.
        public var housekeepingInterval: Duration = .seconds(3600)
        /// Card payments (`--payments stripe`); nil is `--payments manual`: the owner marks orders paid.
        public var payments: (any PaymentProvider)?
        /// Pending orders older than this are cancelled and their units released (only with `payments`).
        public var unpaidHours: Int = 48
        /// How often unpaid orders are looked for.
        public var unpaidCheckInterval: Duration = .seconds(600)

        public init(host: String = "127.0.0.1", port: Int = 8080, output: URL, secureCookies: Bool = false,
                    openAPIDocument: URL? = nil, log: LogSink = LogSink(), mail: (any MailTransport)? = nil,
                    mailSettings: OutboxWorker.Settings = .init(), liveReload: LiveReload? = nil,
                    timeouts: ConnectionTimeouts = .init(), trustedProxies: Set<String> = [], metricsPublic: Bool = false,
                    payments: (any PaymentProvider)? = nil, unpaidHours: Int = 48) {
            self.payments = payments
            self.unpaidHours = unpaidHours
            self.host = host
            self.port = port
            self.output = output
            self.secureCookies = secureCookies
            self.openAPIDocument = openAPIDocument
            self.log = log
            self.mail = mail
            self.mailSettings = mailSettings
            self.liveReload = liveReload
            self.timeouts = timeouts
            self.trustedProxies = trustedProxies
            self.metricsPublic = metricsPublic
        }
    }

    public let configuration: Configuration
    public let store: any ShopStore
    public let catalog: LiveCatalog
    /// The theme for the server's own pages and mail; `--watch` replaces it after each rebuild.
    public let theme: LiveTheme

    /// Delivers the outbox while the server runs (when a transport is configured).
    public let mailWorker: OutboxWorker?
    public let metrics = ShopMetrics()
    let orderLinks: OrderLinkKeys

    /// The shop's side of card payments, when a provider is configured.
    var paymentDesk: PaymentDesk? {
        configuration.payments.map { PaymentDesk(provider: $0, orders: store.orders, log: configuration.log) }
    }

    public init(configuration: Configuration, store: any ShopStore, catalog: LiveCatalog, theme: Theme) {
        self.configuration = configuration
        self.store = store
        self.catalog = catalog
        self.theme = LiveTheme(theme)
        let log = configuration.log
        let orderLinks = OrderLinkKeys(store: store)
        self.orderLinks = orderLinks
        let composer = OrderMail(orders: store.orders, catalog: catalog, themes: self.theme, links: orderLinks)
        mailWorker = configuration.mail.map { transport in
            OutboxWorker(outbox: store.outbox, transport: transport, settings: configuration.mailSettings,
                         log: { log.write($0) }, compose: { try await composer.compose($0) })
        }
    }

    /// The router with every middleware and route.
    public func router() -> Router<ShopContext> {
        let pages = DynamicPages(theme: theme, catalog: catalog)
        let shop = Shop(store: store, catalog: catalog, pages: pages, secureCookies: configuration.secureCookies,
                        mail: mailWorker, metrics: metrics, orderLinks: orderLinks, payments: paymentDesk)
        // HEAD wherever GET works (SPEC §6.11): Hummingbird answers it from the GET route without the body.
        let router = Router(context: ShopContext.self, options: .autoGenerateHeadEndpoints)
        router.addMiddleware {
            AccessLog(sink: configuration.log)
            RequestMetrics(metrics: metrics)
            SecurityHeaders()
            ErrorResponder(pages: pages, log: configuration.log)
            ClientAddress(trustedProxies: configuration.trustedProxies)
            MethodNotAllowed()
            CrossOriginGuard(trustedOrigins: [])
            BodyLimit(limit: Self.bodyLimit)
            // Static files first: a page, image or stylesheet never costs a session look-up.
            StaticFiles(root: configuration.output,
                        liveReloadScript: configuration.liveReload == nil ? nil : LiveReloadRoutes.scriptPath)
            SessionMiddleware(sessions: shop.sessions)
        }
        if let liveReload = configuration.liveReload { LiveReloadRoutes(hub: liveReload).register(on: router) }
        CartRoutes(shop: shop).register(on: router)
        OrderRoutes(shop: shop, log: configuration.log).register(on: router)
        PaymentRoutes(shop: shop, log: configuration.log).register(on: router)
        SystemRoutes(shop: shop, openAPIDocument: configuration.openAPIDocument, log: configuration.log).register(on: router)
        ViewRoutes(shop: shop).register(on: router)
        AccountRoutes(shop: shop).register(on: router)
        AdminRoutes(shop: shop, log: configuration.log).register(on: router)
        SocialRoutes(shop: shop).register(on: router)
        router.get("/metrics") { [metrics, store, metricsPublic = configuration.metricsPublic] _, context in
            guard metricsPublic || context.isLoopback else {
                throw ShopHTTPError(.forbidden, code: "forbidden",
                                    message: "Metrics are served only to this machine (see --metrics-public)")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: await metrics.exposition(outbox: store.outbox))))
        }
        return router
    }

    /// Records `published` actions and reports account conflicts; call at start and after every manifest reload.
    public func catalogChanged() async {
        await catalog.settle(in: store, log: configuration.log)
    }

    /// Another server reloaded: read the manifests again here too.
    func reloadAnnounced() async {
        do throws(CatalogError) {
            let fresh = try catalog.reload()
            await catalogChanged()
            configuration.log.write("reloaded manifests (announced by another server): \(fresh.products.count) products, \(fresh.people.count) people")
        } catch {
            configuration.log.write("another server reloaded; kept the previous manifests here: \(error.description)")
        }
    }

    /// The application, listening where configured; `onRunning` gets the bound port (useful with port 0).
    /// Its service group also runs the mail worker, the log flusher and `services` (signal
    /// handlers, say), and stops them gracefully after the HTTP server (SIGTERM, SIGINT).
    public func application(services: [any Service] = [],
                            onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var app = Application(
            router: router(),
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionDeadlines(timeouts: configuration.timeouts)])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Agora"),
            services: [LogFlusher(sink: configuration.log), ReloadListener(store: store) { await self.reloadAnnounced() },
                       Housekeeper(store: store, interval: configuration.housekeepingInterval, log: configuration.log),
                       StoreMaintenance(store: store, log: configuration.log)]
                + (paymentDesk.map { [UnpaidOrderRelease(desk: $0, hours: configuration.unpaidHours, clock: store.clock,
                                                         interval: configuration.unpaidCheckInterval, log: configuration.log)] } ?? [])
                + (mailWorker.map { [$0] } ?? []) + services,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: Self.quietLogger()
        )
        app.beforeServerStarts { await self.catalogChanged() }
        return app
    }

    /// Hummingbird's own logger only for warnings; the access log has one line per request.
    private static func quietLogger() -> Logger {
        Logger(label: "agora") { label in ServerLogHandler(label: label) }
    }
}
