import AgoraCompression
@testable import AgoraServer
import AgoraTestSupport
import Foundation
import Testing

@Suite struct StaticFileTests {
    @Test func servesPagesWithTypesAndCachingHeaders() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            let home = try await client.send("GET", "/")
            #expect(home.status == 200)
            #expect(home[header: "content-type"] == "text/html; charset=utf-8")
            #expect(home.text.contains("<title>Test Tea</title>"))
            #expect(home[header: "cache-control"] == "public, no-cache")
            #expect(home[header: "x-content-type-options"] == "nosniff")
            #expect(home[header: "content-security-policy"]?.contains("object-src 'none'; base-uri 'none'; frame-ancestors 'none'") == true)
            let product = try await client.send("GET", "/products/sencha/")
            #expect(product.status == 200)
            #expect(product.text.contains("<h1>Sencha</h1>"))
            #expect(try await client.send("GET", "/catalog.json")[header: "content-type"] == "application/json; charset=utf-8")
            #expect(try await client.send("GET", "/feed.xml")[header: "content-type"] == "application/atom+xml; charset=utf-8")
            let css = try #require(home.text.firstMatch(of: /href="(\/assets\/style\.[0-9a-f]+\.css)"/)?.1)
            let asset = try await client.send("GET", String(css))
            #expect(asset.status == 200)
            #expect(asset[header: "content-type"] == "text/css; charset=utf-8")
            #expect(asset[header: "cache-control"] == "public, max-age=31536000, immutable")
            #expect(StaticFiles.cacheControl("thumbs/mug-3f9c0a1b2c4d-180x180.png") == "public, max-age=31536000, immutable")
            let gzipped = try await client.send("GET", "/products/sencha/", headers: ["Accept-Encoding": "gzip"])
            #expect(gzipped[header: "content-encoding"] == "gzip")  // the build's own .gz copy
            #expect(gzipped.body.count < product.body.count)
            let head = try await client.send("HEAD", "/products/sencha/")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head[header: "content-length"] == product[header: "content-length"])
        }
    }

    @Test func foldersRedirectToTheirSlashAndMissingPagesGetThe404Page() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            let redirect = try await client.send("GET", "/products/sencha?x=1")
            #expect(redirect.status == 301)
            #expect(redirect[header: "location"] == "/products/sencha/?x=1")
            let missing = try await client.send("GET", "/products/nope/")
            #expect(missing.status == 404)
            #expect(missing.text.contains("Page not found"))
            #expect(missing[header: "content-type"] == "text/html; charset=utf-8")
        }
    }

    @Test func conditionalRequestsAnswer304() async throws {
        let shop = try TestShop()
        try await shop.run { port in
            let client = HTTPClient(port: port)
            let first = try await client.send("GET", "/products/sencha/")
            let etag = try #require(first[header: "etag"])
            let modified = try #require(first[header: "last-modified"])
            let byTag = try await client.send("GET", "/products/sencha/", headers: ["If-None-Match": etag])
            #expect(byTag.status == 304)
            #expect(byTag.body.isEmpty)
            #expect(byTag[header: "etag"] == etag)
            #expect(try await client.send("GET", "/products/sencha/", headers: ["If-None-Match": "\"other\""]).status == 200)
            #expect(try await client.send("GET", "/products/sencha/", headers: ["If-Modified-Since": modified]).status == 304)
            #expect(try await client.send("GET", "/products/sencha/",
                                          headers: ["If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"]).status == 200)
        }
    }

    @Test func precompressedCopiesAreSentToClientsThatAcceptThem() async throws {
        let shop = try TestShop()
        let page = shop.output.appendingPathComponent("about-gz.html")
        try Data("<p>plain</p>".utf8).write(to: page)
        try Data("gzip bytes".utf8).write(to: shop.output.appendingPathComponent("about-gz.html.gz"))
        try Data("brotli bytes".utf8).write(to: shop.output.appendingPathComponent("about-gz.html.br"))
        try await shop.run { port in
            let client = HTTPClient(port: port)
            let gzip = try await client.send("GET", "/about-gz.html", headers: ["Accept-Encoding": "gzip, deflate"])
            #expect(gzip[header: "content-encoding"] == "gzip")
            #expect(gzip.text == "gzip bytes")
            #expect(gzip[header: "content-type"] == "text/html; charset=utf-8")
            #expect(gzip[header: "vary"] == "Accept-Encoding")
            let brotli = try await client.send("GET", "/about-gz.html", headers: ["Accept-Encoding": "gzip, br"])
            #expect(brotli[header: "content-encoding"] == "br")
            let refused = try await client.send("GET", "/about-gz.html", headers: ["Accept-Encoding": "br;q=0, gzip;q=0"])
            #expect(refused[header: "content-encoding"] == nil)
            #expect(refused.text == "<p>plain</p>")
            let plain = try await client.send("GET", "/about-gz.html")
            #expect(plain.text == "<p>plain</p>")
        }
    }

    /// Without precompressed copies (a default build) the server gzips text files itself, once per
    /// file version, and sends the same bytes a precompressed copy would hold.
    @Test func filesWithoutACopyAreGzippedOnTheFlyOnce() async throws {
        let shop = try TestShop()
        let path = shop.output.appendingPathComponent("long.html")
        let original = Data(String(repeating: "<p>Sencha, Gyokuro and Bancha.</p>\n", count: 100).utf8)
        try original.write(to: path)
        try Data("<p>tiny</p>".utf8).write(to: shop.output.appendingPathComponent("tiny.html"))
        let server = try shop.server
        try await shop.run(server) { port in
            let client = HTTPClient(port: port)
            let first = try await client.send("GET", "/long.html", headers: ["Accept-Encoding": "gzip"])
            #expect(first[header: "content-encoding"] == "gzip" && first[header: "vary"] == "Accept-Encoding")
            #expect(first.body == Gzip.compress(original))
            #expect(first.body.count < original.count / 10)
            #expect(first[header: "etag"]?.hasSuffix("-gzip\"") == true)
            let again = try await client.send("GET", "/long.html", headers: ["Accept-Encoding": "gzip", "If-None-Match": first[header: "etag"] ?? ""])
            #expect(again.status == 304)
            #expect(try await client.send("GET", "/long.html").body == original)   // plain for clients that do not ask
            #expect(try await client.send("GET", "/tiny.html", headers: ["Accept-Encoding": "gzip"])[header: "content-encoding"] == nil)

            // A new version of the file is compressed anew, not served from the cache.
            let changed = Data(String(repeating: "<p>Matcha.</p>\n", count: 100).utf8)
            try changed.write(to: path)
            let fresh = try await client.send("GET", "/long.html", headers: ["Accept-Encoding": "gzip"])
            #expect(fresh.body == Gzip.compress(changed))
        }
    }

    @Test func nothingOutsideTheOutputFolderCanBeRead() async throws {
        let shop = try TestShop()
        let secret = shop.root.appendingPathComponent("secret.txt")
        try Data("top secret".utf8).write(to: secret)
        try FileManager.default.createSymbolicLink(at: shop.output.appendingPathComponent("leak.txt"), withDestinationURL: secret)
        try FileManager.default.createSymbolicLink(at: shop.output.appendingPathComponent("leakdir"),
                                                   withDestinationURL: shop.root.appendingPathComponent("content"))
        try Data("DOTFILE_SECRET=1".utf8).write(to: shop.output.appendingPathComponent(".env"))
        try await shop.run { port in
            let client = HTTPClient(port: port)
            for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/etc/passwd", "/products/..%2f..%2fsecret.txt",
                         "/products%2fsencha%2findex.html", "/leak.txt", "/leakdir/site.yml", "/.env", "/%2eenv",
                         "/..%5csecret.txt", "/x%00.html", "/products/../../secret.txt"] {
                let reply = try await client.send("GET", path)
                #expect([400, 404].contains(reply.status), "\(path) answered \(reply.status)")
                #expect(!reply.text.contains("top secret") && !reply.text.contains("root:") && !reply.text.contains("DOTFILE_SECRET")
                        && !reply.text.contains("base_url"), "\(path) leaked")
            }
        }
    }
}

/// The hot paths of a logged-in visitor (issue: the live server never blocks).
@Suite struct HotPathTests {
    @Test func staticFilesRunNoSQLEvenWithASessionCookie() async throws {
        let shop = try TestShop(countStatements: true)
        try await shop.run { port in
            let browser = Browser(port: port)
            #expect(try await browser.json("POST", "/api/cart/items", ["sku": "GT-1", "quantity": 1]).status == 200)
            #expect(browser.cookie != nil)
            let home = try await browser.get("/")
            let css = try #require(home.text.firstMatch(of: /href="(\/assets\/style\.[0-9a-f]+\.css)"/)?.1)
            let before = shop.store.database.statementCount
            for path in ["/", "/products/sencha/", String(css), "/catalog.json", "/robots.txt", "/missing-page"] {
                _ = try await browser.get(path)
            }
            #expect(shop.store.database.statementCount == before)
            // A dynamic page does read the session and the cart.
            #expect(try await browser.get("/api/cart").status == 200)
            #expect(shop.store.database.statementCount > before)
        }
    }
}
