import AgoraMail
import AgoraStore
import AgoraTheme
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

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

        public init(host: String = "127.0.0.1", port: Int = 8080, output: URL, secureCookies: Bool = false,
                    openAPIDocument: URL? = nil, log: LogSink = LogSink(), mail: (any MailTransport)? = nil,
                    mailSettings: OutboxWorker.Settings = .init(), liveReload: LiveReload? = nil,
                    timeouts: ConnectionTimeouts = .init(), trustedProxies: Set<String> = [], metricsPublic: Bool = false) {
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
    public let database: AgoraDatabase
    public let catalog: LiveCatalog
    /// The theme for the server's own pages and mail; `--watch` replaces it after each rebuild.
    public let theme: LiveTheme

    /// Delivers the outbox while the server runs (when a transport is configured).
    public let mailWorker: OutboxWorker?
    public let metrics = ShopMetrics()

    public init(configuration: Configuration, database: AgoraDatabase, catalog: LiveCatalog, theme: Theme) {
        self.configuration = configuration
        self.database = database
        self.catalog = catalog
        self.theme = LiveTheme(theme)
        let log = configuration.log
        let composer = OrderMail(database: database, catalog: catalog, themes: self.theme)
        mailWorker = configuration.mail.map { transport in
            OutboxWorker(database: database, transport: transport, settings: configuration.mailSettings,
                         log: { log.write($0) }, compose: { try composer.compose($0) })
        }
    }

    /// The router with every middleware and route.
    public func router() -> Router<ShopContext> {
        let pages = DynamicPages(theme: theme, catalog: catalog)
        let shop = Shop(database: database, catalog: catalog, pages: pages, secureCookies: configuration.secureCookies,
                        mail: mailWorker, metrics: metrics)
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
            SessionMiddleware(sessions: shop.sessions)
            StaticFiles(root: configuration.output,
                        liveReloadScript: configuration.liveReload == nil ? nil : LiveReloadRoutes.scriptPath)
        }
        if let liveReload = configuration.liveReload { LiveReloadRoutes(hub: liveReload).register(on: router) }
        CartRoutes(shop: shop).register(on: router)
        OrderRoutes(shop: shop).register(on: router)
        SystemRoutes(shop: shop, openAPIDocument: configuration.openAPIDocument, log: configuration.log).register(on: router)
        ViewRoutes(shop: shop).register(on: router)
        AccountRoutes(shop: shop).register(on: router)
        AdminRoutes(shop: shop, log: configuration.log).register(on: router)
        SocialRoutes(shop: shop).register(on: router)
        router.get("/metrics") { [metrics, database, metricsPublic = configuration.metricsPublic] _, context in
            guard metricsPublic || context.isLoopback else {
                throw ShopHTTPError(.forbidden, code: "forbidden",
                                    message: "Metrics are served only to this machine (see --metrics-public)")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.exposition(database: database))))
        }
        return router
    }

    /// Records `published` actions and reports account conflicts; call at start and after every manifest reload.
    public func catalogChanged() {
        catalog.settle(in: database, log: configuration.log)
    }

    /// The application, listening where configured; `onRunning` gets the bound port (useful with port 0).
    /// The mail worker starts with it.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        mailWorker?.start()
        catalogChanged()
        return Application(
            router: router(),
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionDeadlines(timeouts: configuration.timeouts)])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Agora"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: Self.quietLogger()
        )
    }

    /// Hummingbird's own logger only for warnings; the access log has one line per request.
    private static func quietLogger() -> Logger {
        var logger = Logger(label: "agora")
        logger.logLevel = .warning
        return logger
    }
}
