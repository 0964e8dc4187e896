// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "RDBKit",
    products: [
        .library(name: "RDBKit", targets: ["RDBKit"]),
        .executable(name: "rdbkit", targets: ["rdbkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZF", path: "Sources/CLZF", pkgConfig: "liblzf",
            providers: [.apt(["liblzf-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(
            name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(
            name: "CXXHash", path: "Sources/CXXHash", pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]),
        // Redis's CRC64 folded by carry-less multiplication (PCLMULQDQ, checked at run time).
        .target(name: "CCRC64Fold", path: "Sources/CCRC64Fold"),
        .target(
            name: "RDBKit",
            dependencies: [
                "CLZF", "CZlib", "CZstd", "CLZ4", "CXXHash", "CCRC64Fold",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "rdbkit",
            dependencies: [
                "RDBKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "RDBKitTests", dependencies: ["RDBKit"]),
    ]
)
