// swift-tools-version:6.1
import PackageDescription

// One module per concern (SPEC §9). Dependencies point one way:
// agora (CLI) → AgoraServer / AgoraSite → AgoraStore, AgoraTheme, AgoraContent, AgoraMarkdown → CCmark;
// the CLI alone picks the store's implementation (AgoraSQLite or AgoraPostgres → AgoraStore).
let package = Package(
    name: "Agora",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "agora", targets: ["AgoraCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
    ],
    targets: [
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark", providers: [.apt(["libcmark-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libvips is loaded with dlopen when thumbnails are made (Sources/CVips/include/agora_vips.h).
        .target(name: "CVips", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),
        .target(name: "AgoraMarkdown", dependencies: ["CCmark"]),
        // gzip, shared by the build (--precompress) and the server (on the fly).
        .target(name: "AgoraCompression", dependencies: ["CZlib"]),
        .target(name: "AgoraContent", dependencies: [.product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "AgoraTheme", dependencies: [
            "AgoraContent", .product(name: "Mustache", package: "swift-mustache"), .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "AgoraSite", dependencies: [
            "AgoraContent", "AgoraMarkdown", "AgoraTheme", "AgoraCompression", "CZlib", "CVips", "CBrotli", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The store seam: models, rules and protocols, no database library (SPEC §9, §11).
        .target(name: "AgoraStore", dependencies: [
            "AgoraContent", .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // The embedded implementation of the store protocols, on SQLite through GRDB.
        .target(name: "AgoraSQLite", dependencies: [
            "AgoraStore", "AgoraContent", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "AgoraPostgres", dependencies: [
            "AgoraStore", "AgoraContent", .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        // Order mail; sendmail is spawned with swift-subprocess (see SendmailTransport).
        .target(name: "AgoraMail", dependencies: [
            "AgoraStore", "AgoraContent", .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "SystemPackage", package: "swift-system"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Card payments behind a provider protocol (SPEC §6.9): Stripe's API over AsyncHTTPClient.
        .target(name: "AgoraPayments", dependencies: [
            "AgoraStore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "AgoraServer", dependencies: [
            "AgoraStore", "AgoraTheme", "AgoraContent", "AgoraMail", "AgoraPayments", "AgoraCompression", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"), .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ]),
        .executableTarget(
            name: "AgoraCLI",
            dependencies: [
                "AgoraSite", "AgoraServer", "AgoraStore", "AgoraSQLite", "AgoraPostgres", "AgoraContent", "AgoraMail",
                "AgoraPayments", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "AgoraMarkdownTests", dependencies: ["AgoraMarkdown"]),
        .testTarget(name: "AgoraContentTests", dependencies: ["AgoraContent"]),
        // Benchmarks only: Hummingbird with no middleware, the ceiling `make bench` measures Agora against.
        .executableTarget(name: "BenchHello", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
        ], path: "Benchmarks/HelloServer"),
        .testTarget(name: "AgoraThemeTests", dependencies: ["AgoraTheme", "AgoraTestSupport", .product(name: "Mustache", package: "swift-mustache")]),
        .testTarget(name: "AgoraSiteTests", dependencies: ["AgoraSite", "CBrotli", "CZlib", "AgoraTestSupport"]),
        // Test helpers shared by the test targets: a plain HTTP client that talks to real sockets, and a
        // throwaway PostgreSQL cluster.
        .target(name: "AgoraTestSupport", path: "Tests/AgoraTestSupport"),
        .testTarget(name: "AgoraStoreTests", dependencies: [
            "AgoraStore", "AgoraSQLite", "AgoraPostgres", "AgoraTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        ]),
        .testTarget(name: "AgoraMailTests", dependencies: ["AgoraMail", "AgoraStore", "AgoraSQLite"]),
        .testTarget(name: "AgoraServerTests", dependencies: [
            "AgoraServer", "AgoraPayments", "AgoraCompression", "AgoraStore", "AgoraSQLite", "AgoraSite", "AgoraTestSupport", .product(name: "Yams", package: "Yams"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "AgoraCLITests", dependencies: [
            "AgoraCLI", "AgoraContent", "AgoraStore", "AgoraSQLite", "AgoraPostgres", "AgoraTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ]
)
