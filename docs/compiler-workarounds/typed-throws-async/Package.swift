// swift-tools-version:6.0
// The shape that crashed Swift 6.3's release optimizer (docs/compiler-workarounds.md, entry 2).
import PackageDescription

let package = Package(
    name: "TypedThrowsAsync",
    targets: [.executableTarget(name: "Reproducer", path: "Sources/Reproducer")]
)
