// swift-tools-version:6.1
import PackageDescription

// One module per concern (SPEC §9). Dependencies point one way:
// agora (CLI) → AgoraSite → AgoraTheme, AgoraContent, AgoraMarkdown → CCmark.
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
    ],
    targets: [
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark", providers: [.apt(["libcmark-dev"])]),
        .target(name: "AgoraMarkdown", dependencies: ["CCmark"]),
        .target(name: "AgoraContent", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "AgoraTheme", dependencies: [
            .product(name: "Mustache", package: "swift-mustache"), .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "AgoraSite", dependencies: ["AgoraContent", "AgoraMarkdown", "AgoraTheme"]),
        .executableTarget(
            name: "AgoraCLI",
            dependencies: ["AgoraSite", "AgoraContent", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "AgoraMarkdownTests", dependencies: ["AgoraMarkdown"]),
        .testTarget(name: "AgoraContentTests", dependencies: ["AgoraContent"]),
        .testTarget(name: "AgoraThemeTests", dependencies: ["AgoraTheme"]),
        .testTarget(name: "AgoraSiteTests", dependencies: ["AgoraSite"]),
        .testTarget(name: "AgoraCLITests", dependencies: ["AgoraCLI"]),
    ]
)
