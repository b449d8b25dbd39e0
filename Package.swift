// swift-tools-version:6.0
// Coffer: one package, no package dependencies (a supply-chain choice, see DESIGN.md).
// Only the toolchain plus libpq and libcrypto as system libraries.
import PackageDescription

/// Release builds turn off Swift's default cross-module optimization: with it, Swift 6.3 computed the
/// wrong object size for a class with `Atomic`/`Mutex` stored properties (HTTPServer) when another
/// module allocated it, corrupting the heap at start-up. Correctness first; the cost measured under
/// `make bench` is small.
let settings: [SwiftSetting] = [.unsafeFlags(["-disable-cmo"], .when(configuration: .release))]

/// A service is a library (testable) plus a thin executable in its `Main/` folder. A service with an
/// API document (`openapi/<service>.json`) has it compiled in by the OpenAPIEmbed plugin.
func service(
    _ name: String, binary: String, dependencies: [Target.Dependency] = ["Platform", "Contracts"],
    documented: Bool = false
) -> [Target] {
    [
        .target(
            name: name, dependencies: dependencies, path: "Services/\(name)", exclude: ["Main"],
            swiftSettings: settings,
            plugins: documented ? ["OpenAPIEmbed"] : []),
        .executableTarget(
            name: binary, dependencies: [.target(name: name)], path: "Services/\(name)/Main", swiftSettings: settings),
    ]
}

let package = Package(
    name: "Coffer",
    products: [
        .executable(name: "coffer-ingress", targets: ["coffer-ingress"]),
        .executable(name: "coffer-payments", targets: ["coffer-payments"]),
        .executable(name: "coffer-payouts", targets: ["coffer-payouts"]),
        .executable(name: "coffer-notifications", targets: ["coffer-notifications"]),
        .executable(name: "coffer-monitoring", targets: ["coffer-monitoring"]),
        .executable(name: "coffer-sandbox", targets: ["coffer-sandbox"]),
        .executable(name: "cofferctl", targets: ["cofferctl"]),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Shared/COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "CSystem", path: "Shared/CSystem"),
        .target(name: "Shared", dependencies: ["COpenSSL"], path: "Shared/Shared", swiftSettings: settings),
        // What services say to each other: event payloads, tenant settings, typed ids (producers encode
        // and consumers decode the same types).
        .target(name: "Contracts", dependencies: ["Shared"], path: "Shared/Contracts", swiftSettings: settings),
        .target(name: "HTTP", dependencies: ["Shared", "CSystem"], path: "Shared/HTTP", swiftSettings: settings),
        .target(
            name: "Postgres", dependencies: ["Shared", "CLibPQ"], path: "Shared/Postgres", swiftSettings: settings),
        .target(
            name: "Platform", dependencies: ["Shared", "Contracts", "HTTP", "Postgres"], path: "Shared/Platform",
            swiftSettings: settings),
        // Calling providers' APIs: transport, error kinds, circuit breakers (payments and payouts).
        .target(
            name: "ProviderKit", dependencies: ["Shared", "Contracts", "HTTP"], path: "Shared/ProviderKit",
            swiftSettings: settings),
        // Build-time only: compiles openapi/*.json into the services that serve them (no copy in the tree).
        .executableTarget(name: "openapi-embed", path: "Tools/OpenAPIEmbed"),
        .plugin(
            name: "OpenAPIEmbed", capability: .buildTool(), dependencies: ["openapi-embed"],
            path: "Plugins/OpenAPIEmbed"),
    ]
        + service("Ingress", binary: "coffer-ingress", documented: true)
        + service(
            "Payments", binary: "coffer-payments", dependencies: ["Platform", "Contracts", "ProviderKit"],
            documented: true)
        + service(
            "Payouts", binary: "coffer-payouts", dependencies: ["Platform", "Contracts", "ProviderKit"],
            documented: true)
        + service("Notifications", binary: "coffer-notifications")
        + service("Monitoring", binary: "coffer-monitoring")
        + service("Sandbox", binary: "coffer-sandbox", dependencies: ["Platform", "Contracts", "ProviderKit"])
        + service("Ctl", binary: "cofferctl")
        + [
            .target(
                name: "TestSupport", dependencies: ["Shared", "Contracts", "HTTP", "Postgres", "Platform"],
                path: "Tests/TestSupport"),
            .testTarget(name: "SharedTests", dependencies: ["Shared", "TestSupport"], path: "Tests/SharedTests"),
            .testTarget(
                name: "ContractsTests", dependencies: ["Contracts", "TestSupport"], path: "Tests/ContractsTests"),
            .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"], path: "Tests/HTTPTests"),
            .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], path: "Tests/PostgresTests"),
            .testTarget(
                name: "ProviderKitTests", dependencies: ["ProviderKit", "Contracts", "HTTP", "Shared"],
                path: "Tests/ProviderKitTests"),
            .testTarget(
                name: "PlatformTests", dependencies: ["Platform", "Contracts", "TestSupport"],
                path: "Tests/PlatformTests"),
            .testTarget(
                name: "ServiceTests",
                dependencies: [
                    "TestSupport", "Contracts", "Ingress", "Payments", "Payouts", "Notifications", "Monitoring",
                    "Sandbox", "Ctl", "ProviderKit",
                ], path: "Tests/ServiceTests"),
        ]
)
