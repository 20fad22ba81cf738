// swift-tools-version:6.0
import PackageDescription

// Dependencies flow one way: Core <- SigV4 <- AWS <- Services <- Providers <- (Engine, Cleanup) <- CLI <- sandbox.
let package = Package(
    name: "sandbox",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sandbox", targets: ["sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // HTTP on SwiftNIO: waits in epoll instead of busy-polling as URLSession on libcurl does.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .target(name: "SandboxCore"),
        .target(name: "SandboxSigV4", dependencies: [
            "SandboxCore",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "SandboxAWS", dependencies: [
            "SandboxCore", "SandboxSigV4",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // The IAM policy evaluator and the declared-call model: pure, so every module above can declare and prove.
        .target(name: "SandboxPolicy", dependencies: ["SandboxCore"]),
        .target(name: "SandboxServices", dependencies: [
            "SandboxCore", "SandboxAWS", "SandboxPolicy",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "SandboxStack", dependencies: [
            "SandboxCore", "SandboxGraph",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "SandboxGraph", dependencies: ["SandboxCore"]),
        .target(name: "SandboxState", dependencies: [
            "SandboxCore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // One file per resource kind (schema, typed properties, read/create/update/delete) and the catalogue of them.
        .target(name: "SandboxProviders", dependencies: [
            "SandboxCore", "SandboxSigV4", "SandboxAWS", "SandboxServices", "SandboxStack", "SandboxPolicy",
        ]),
        .target(name: "SandboxEngine", dependencies: [
            "SandboxCore", "SandboxSigV4", "SandboxAWS", "SandboxServices", "SandboxStack", "SandboxGraph", "SandboxState", "SandboxPolicy",
            "SandboxProviders",
        ]),
        .target(name: "SandboxReport", dependencies: ["SandboxCore"]),
        .target(name: "SandboxCleanup", dependencies: [
            "SandboxCore", "SandboxAWS", "SandboxServices", "SandboxStack", "SandboxState", "SandboxReport", "SandboxPolicy",
        ]),
        .target(name: "SandboxBackend", dependencies: ["SandboxCore", "SandboxAWS", "SandboxServices", "SandboxState", "SandboxPolicy"]),
        .target(name: "SandboxCheck", dependencies: [
            "SandboxCore", "SandboxAWS", "SandboxServices", "SandboxStack", "SandboxState", "SandboxProviders", "SandboxEngine", "SandboxCleanup", "SandboxPolicy",
        ]),
        .target(name: "SandboxCLI", dependencies: [
            "SandboxCheck", "SandboxBackend",
            "SandboxCore", "SandboxSigV4", "SandboxAWS", "SandboxServices", "SandboxStack", "SandboxGraph",
            "SandboxState", "SandboxEngine", "SandboxCleanup", "SandboxReport", "SandboxPolicy", "SandboxProviders",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "sandbox", dependencies: ["SandboxCLI"]),

        .target(name: "SandboxTestSupport", dependencies: ["SandboxCore", "SandboxAWS"], path: "Tests/SandboxTestSupport"),
        .testTarget(name: "SandboxCoreTests", dependencies: ["SandboxCore"]),
        .testTarget(name: "SandboxGraphTests", dependencies: ["SandboxGraph"]),
        .testTarget(name: "SandboxSigV4Tests", dependencies: ["SandboxSigV4", "SandboxTestSupport"], exclude: ["botocore_sign.py"]),
        .testTarget(name: "SandboxAWSTests", dependencies: [
            "SandboxAWS", "SandboxTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "SandboxServicesTests", dependencies: ["SandboxServices", "SandboxTestSupport"]),
        .testTarget(name: "SandboxStackTests", dependencies: ["SandboxStack", "SandboxGraph", "SandboxProviders"]),
        .testTarget(name: "SandboxStateTests", dependencies: [
            "SandboxState",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "SandboxReportTests", dependencies: ["SandboxReport"]),
        .testTarget(name: "SandboxPolicyTests", dependencies: ["SandboxPolicy", "SandboxCore"]),
        .testTarget(name: "SandboxEngineTests", dependencies: ["SandboxEngine", "SandboxTestSupport"]),
        .testTarget(name: "SandboxProvidersTests", dependencies: [
            "SandboxProviders", "SandboxTestSupport", "SandboxCore", "SandboxSigV4", "SandboxAWS", "SandboxServices", "SandboxStack", "SandboxPolicy",
        ]),
        .testTarget(name: "SandboxCleanupTests", dependencies: ["SandboxCleanup", "SandboxTestSupport"]),
        .testTarget(name: "SandboxCLITests", dependencies: ["SandboxTestSupport", "SandboxPolicy", "SandboxCore"]),
        .testTarget(name: "SandboxCheckTests", dependencies: [
            "SandboxCheck", "SandboxTestSupport", "SandboxCore", "SandboxAWS", "SandboxServices", "SandboxStack", "SandboxEngine", "SandboxState",
        ]),
        .testTarget(name: "SandboxBackendTests", dependencies: ["SandboxBackend", "SandboxState", "SandboxServices", "SandboxTestSupport"]),

        // Fuzzing: the properties, the libFuzzer/replay driver (`make fuzz`) and their seeded run in `make test`.
        .target(name: "SandboxFuzzing", dependencies: ["SandboxCore", "SandboxStack", "SandboxProviders", "SandboxCleanup"], path: "Tests/Fuzz/SandboxFuzzing"),
        .executableTarget(name: "sandbox-fuzz", dependencies: ["SandboxFuzzing"], path: "Tests/Fuzz/Driver"),
        .testTarget(name: "SandboxFuzzTests", dependencies: ["SandboxFuzzing", "SandboxCore", "SandboxStack", "SandboxProviders", "SandboxCleanup", "SandboxTestSupport"]),
    ]
)
