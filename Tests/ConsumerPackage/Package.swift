// swift-tools-version:6.0
//
// WoWConsumer: a package outside the WassersteinFlows repository that depends on it *by
// version* (as any user's package would), writes its own measure kernels by conformance
// and runs short flows with them. `.ci/check-consumer` builds and runs it against a
// temporary clone of the repository tagged 0.2.0.
//
// This folder is not part of the WassersteinFlows package (no target points at it).
//
// The dependency's git URL comes from the environment, so nothing here names a path:
//
//     WOW_PACKAGE_URL=file:///tmp/somewhere/WassersteinFlows swift run -c release
//
// The package identity SwiftPM gives that dependency is the URL's last path component
// (without `.git`), which is what `.product(..., package:)` must name.

import PackageDescription

guard let packageURL = Context.environment["WOW_PACKAGE_URL"], !packageURL.isEmpty else {
    fatalError("WoWConsumer: set WOW_PACKAGE_URL to the git URL of WassersteinFlows (e.g. file:///path/to/clone)")
}

var identity = String(packageURL.split(separator: "/").last ?? "WassersteinFlows")
if identity.hasSuffix(".git") { identity.removeLast(4) }

let package = Package(
    name: "WoWConsumer",
    dependencies: [
        .package(url: packageURL, from: "0.2.0"),
    ],
    targets: [
        .executableTarget(
            name: "WoWConsumer",
            dependencies: [
                .product(name: "WassersteinFlows", package: identity),
                .product(name: "WassersteinFlowsLaws", package: identity),
            ]),
    ]
)
