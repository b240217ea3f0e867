// swift-tools-version:6.0
// Gravity: a service registry. The module map and who may import whom are in README.md
// ("Architecture") and ../shared/DESIGN.md §3. Pure core modules import only the standard library.
import PackageDescription

let package = Package(
    name: "gravity",
    products: [
        .executable(name: "gravity", targets: ["gravity"]),
        .executable(name: "gravity-sim", targets: ["gravity-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries (Debian -dev packages, found with pkg-config). Each has a module map and a
        // shim header with static inline wrappers for the macros Swift cannot import.
        .systemLibrary(name: "CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        // Declares libFuzzer's LLVMFuzzerRunDriver for the fuzz executable; header only.
        .systemLibrary(name: "CFuzzerDriver"),

        // Pure core: standard library only.
        .target(name: "HTTP"),
        .target(name: "Registry"),
        .target(name: "Raft"),

        // Core with storage.
        .target(name: "Store", dependencies: ["Registry", "CSQLite"]),
        .target(name: "API", dependencies: ["HTTP", "Registry", "Store"]),
        .target(name: "Server", dependencies: ["HTTP", "Registry", "Store", "API", "Raft"]),

        // The shell: sockets, timers, threads, files.
        .target(name: "Loop", dependencies: ["CLibUV"]),
        .target(name: "Agent", dependencies: ["Loop", "HTTP", "Registry", "Store", "API", "Server", "COpenSSL", "CNGHTTP2", "CSQLite", "CLibUV"]),
        .executableTarget(name: "gravity", dependencies: [
            "Agent",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Deterministic simulation of whole clusters (DESIGN.md §2, §14): test support, never the shell.
        .target(name: "Simulator", dependencies: ["Server", "Raft", "Store", "API", "HTTP", "Registry"]),
        .executableTarget(name: "gravity-sim", dependencies: [
            "Simulator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // libFuzzer harness for the HTTP parser (scripts/fuzz). In an ordinary build it replays files.
        .executableTarget(name: "FuzzHTTPParser", dependencies: ["HTTP", "CFuzzerDriver"]),

        // Test support: temporary folders removed when the test process exits.
        .target(name: "TestFolders", path: "Tests/TestFolders"),

        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry"]),
        .testTarget(name: "RaftTests", dependencies: ["Raft"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "APITests", dependencies: ["API", "HTTP", "Registry", "Store", "TestFolders"]),
        .testTarget(name: "ServerTests", dependencies: ["Server", "HTTP", "API", "Raft", "Store", "TestFolders"]),
        .testTarget(name: "LoopTests", dependencies: ["Loop", "CLibUV"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "Loop", "HTTP", "Server", "Registry", "CLibUV", "CNGHTTP2"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Raft"]),
        .testTarget(name: "TidyTests"),
        .testTarget(name: "GravityCLITests", dependencies: ["gravity"]),
    ],
    swiftLanguageModes: [.v6]
)
