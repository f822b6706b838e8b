import AgoraMail
import AgoraSQLite
import AgoraServer
import AgoraSite
import AgoraStore
import AgoraTheme
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the built site and the shop's live parts: cart, checkout and orders.",
        discussion: """
        Serves the output folder as static files and answers /cart/, /orders/, /api/ and friends \
        against the database (SQLite, or PostgreSQL for several servers). Run `agora build` first. SIGHUP (or POST /admin/reload from \
        this machine) re-reads catalog.json and people.json; SIGINT and SIGTERM stop gracefully.

        With --watch, the site is built first and rebuilt (incrementally) whenever something under \
        the content folder or themes/ changes; open pages reload themselves, and a failed rebuild \
        shows its errors in the terminal and over the page while the last good output stays served.
        """
    )

    @Option(name: .long, help: "The site folder (default: the current directory).")
    var site: String?

    @Option(name: .long, help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(name: .long, help: "The built site, relative to the site folder.")
    var output = "output"

    @Option(name: .long, help: "The content folder, relative to the site folder (for --watch).")
    var content = "content"

    @Flag(name: .long, help: "Build, then rebuild on every change to the content or the themes, and reload open pages.")
    var watch = false

    @Option(name: .long, help: ArgumentHelp(StoreOpener.help))
    var db: String?

    @Option(name: .long, help: "Theme name under themes/, or a path (default: the theme the site was built with).")
    var theme: String?

    @Flag(name: .long, help: "Mark the session cookie Secure (serve behind HTTPS).")
    var secureCookies = false

    @Option(name: .long, help: "Where order mail goes: file:<dir> (one .eml per message) or sendmail:<path> (run as `<path> -t -i`).")
    var mail = "file:data/mail"

    @Option(name: .long, help: "Delivery attempts before a message is marked failed.")
    var mailAttempts = 8

    @Option(name: .long, help: "Seconds a client has to send a complete request header.")
    var headerTimeout = 30

    @Option(name: .long, help: "Seconds a kept-alive connection may sit idle between requests.")
    var idleTimeout = 75

    @Option(name: .long, help: "Seconds a client has to send a request body.")
    var bodyTimeout = 60

    @Option(name: .long, help: ArgumentHelp(
        "The address of a proxy in front of this server (repeatable), such as nginx on 127.0.0.1.",
        discussion: "Requests from it name their client in X-Forwarded-For; login limits count that client."))
    var trustedProxy: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Days a session lives after its last use (1 to 3650).",
        discussion: "Expired sessions, their anonymous carts and day-old idempotency keys are purged at start and every hour."))
    var sessionDays = 14

    @Flag(name: .long, help: "Serve /metrics to every client, not only to this machine.")
    var metricsPublic = false

    @OptionGroup var payment: PaymentOptions

    @Option(name: .long, help: ArgumentHelp(
        "Hours an order may wait for its card payment (with --payments stripe).",
        discussion: "Older pending orders are cancelled and their units go back on sale."))
    var unpaidHours = 48

    @Flag(name: .long, help: .hidden)
    var stopWithParent = false

    /// How often the output folder is looked at for a new build.
    @Option(name: .long, help: .hidden)
    var buildCheckMilliseconds = 1000

    func validate() throws {
        for (name, value) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout), ("--body-timeout", bodyTimeout)]
        where !(1...86_400).contains(value) {
            throw ValidationError("\(name) must be from 1 to 86400 seconds")
        }
        guard (1...3650).contains(sessionDays) else { throw ValidationError("--session-days must be from 1 to 3650") }
        guard (1...8760).contains(unpaidHours) else { throw ValidationError("--unpaid-hours must be from 1 to 8760") }
        _ = try payment.provider()
    }

    func run() async throws {
        let parentWatch = stopWithParent ? ParentWatch() : nil
        // Measured, not on by default: Swift concurrency on NIO's event loops (see BENCHMARKS.md).
        if ProcessInfo.processInfo.environment["AGORA_NIO_EXECUTOR"] == "1",
           !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
            FileHandle.standardError.write(Data("agora serve: AGORA_NIO_EXECUTOR=1 could not take over the executor\n".utf8))
        }
        OpenFileLimit.raise()
        let root = URL(fileURLWithPath: site ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        let outputFolder = URL(fileURLWithPath: output, relativeTo: root).standardizedFileURL
        let siteWatch = watch ? WatchedSite(options: SiteLocation.buildOptions(site: site, content: content, theme: theme,
                                                                              output: output)) : nil
        siteWatch?.build()
        let catalog: LiveCatalog
        do {
            catalog = try LiveCatalog(output: outputFolder)
        } catch {
            throw failure("cannot start: \(error.description)")
        }
        let themeName = theme ?? catalog.current.config.theme
        let themeFolder = SiteLocation.themeFolder(themeName, root: root)
        let loadedTheme: Theme
        do {
            loadedTheme = try Theme(directory: themeFolder)
        } catch {
            throw failure("cannot load the theme:\n\(error.description)")
        }
        let store: any ShopStore
        do {
            store = try await StoreOpener.open(db, root: root, sessionRules: SessionRules(days: sessionDays))
        } catch {
            throw failure(error.description)
        }
        let log = LogSink()
        let transport: any MailTransport
        do {
            // A relative file: folder is relative to the site folder, like the other defaults.
            let spec = mail.hasPrefix("file:") && !mail.hasPrefix("file:/")
                ? "file:" + URL(fileURLWithPath: String(mail.dropFirst(5)), relativeTo: root).standardizedFileURL.path : mail
            transport = try MailTransports.parse(spec)
        } catch {
            throw failure("\(error)")
        }
        let server = ShopServer(
            configuration: .init(host: host, port: port, output: outputFolder, secureCookies: secureCookies,
                                 openAPIDocument: SharedFiles.locate()?.appendingPathComponent("openapi.yaml"), log: log,
                                 mail: transport, mailSettings: .init(maxAttempts: max(1, mailAttempts)),
                                 liveReload: siteWatch?.liveReload,
                                 timeouts: .init(header: .seconds(Int64(headerTimeout)), idle: .seconds(Int64(idleTimeout)),
                                                 body: .seconds(Int64(bodyTimeout))),
                                 trustedProxies: Set(trustedProxy), metricsPublic: metricsPublic,
                                 payments: try payment.provider(), unpaidHours: unpaidHours),
            store: store, catalog: catalog, theme: loadedTheme)
        siteWatch?.start { [log] in
            do throws(CatalogError) {
                try catalog.reload()
                Task { await server.catalogChanged() }
            } catch {
                log.write("watch: kept the previous manifests: \(error.description)")
            }
            // The build just loaded the same theme without errors; the server's pages follow it.
            if let fresh = try? Theme(directory: themeFolder) { server.theme.replace(with: fresh) }
        }

        // The manifests and the theme together, so the server's pages link to the stylesheet the
        // build just wrote; on a bad manifest or theme the previous ones stay.
        let reloadSite: @Sendable (String) async -> Void = { reason in
            do throws(ThemeError) {
                server.theme.replace(with: try Theme(directory: themeFolder))
            } catch {
                log.write("\(reason): kept the previous theme: \(error.description)")
            }
            do throws(CatalogError) {
                let fresh = try catalog.reload()
                await server.catalogChanged()
                log.write("\(reason): reloaded manifests: \(fresh.products.count) products, \(fresh.people.count) people")
            } catch {
                log.write("\(reason): kept the previous manifests: \(error.description)")
            }
        }
        let reload = SignalAction(.sighup) { await reloadSite("SIGHUP") }
        let buildWatch = BuildWatch(output: outputFolder, interval: .milliseconds(buildCheckMilliseconds)) {
            await reloadSite("new build")
        }
        let host = self.host
        let services: [any Service] = [reload, buildWatch] + (parentWatch.map { [$0] } ?? [])
        let app = server.application(services: services) { port in
            // Written straight to the descriptor: tests and scripts read the port from this line.
            FileHandle.standardOutput.write(Data("Agora is serving \(outputFolder.path) on http://\(host):\(port)/ (Ctrl-C to stop)\n".utf8))
        }
        try await app.runService()
    }

    private func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write("agora serve: \(message)\n")
        return ExitCode(1)
    }
}

/// Every connection holds a file descriptor; the usual soft limit (1,024) is far below what
/// a server meets, and below what a few hundred idle clients can hold. The hard limit is ours
/// to take (SPEC §6.11).
enum OpenFileLimit {
    static func raise() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
