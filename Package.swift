// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "JumpStation",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "jumpstation", targets: ["jumpstation"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
  ],
  targets: [
    // System libraries, reached through module maps.
    .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    // The C shim for libedit's variadic calls and the SIGINT flag.
    .target(name: "CLineEdit", dependencies: ["CLibEdit"]),
    // Vector kernels for wider instruction sets (AVX-512), picked at run time; see ARCHITECTURE.md.
    .target(
      name: "CKernels",
      cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]
    ),
    // Generated from onnx.proto by scripts/generate-onnx-proto; committed.
    .target(
      name: "ONNXProto",
      dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
    ),
    .target(
      name: "JumpEngine",
      dependencies: [
        "CBLAS", "CKernels", "ONNXProto",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ],
      // Numeric kernels in an unoptimized build run 100-1000x slower, which would make the test
      // suite and tutorial replays crawl; the engine is optimized in every configuration.
      swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
    ),
    .target(name: "JumpScript", dependencies: ["JumpEngine"]),
    .target(name: "JumpREPL", dependencies: ["JumpScript", "JumpEngine", "CLineEdit"]),
    .executableTarget(
      name: "jumpstation",
      dependencies: [
        "JumpREPL", "JumpScript", "JumpEngine",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(
      name: "JumpEngineTests",
      dependencies: [
        "JumpEngine", "ONNXProto",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ]
    ),
    // Test targets name every module their files import, not only the one under test. SwiftPM's
    // incremental build decides what to recompile from declared dependencies: a module imported only
    // transitively can change its layouts (a stored property added to `SessionState`) without the
    // test files being rebuilt, and code they inlined from it (default-argument generators) then
    // writes the new, larger value into storage sized for the old one: a stack smash that showed
    // up as "Bad pointer dereference at 0x0" in parallel test runs.
    .testTarget(name: "JumpScriptTests", dependencies: ["JumpScript", "JumpEngine", "ONNXProto"]),
    .testTarget(name: "JumpREPLTests", dependencies: ["JumpREPL", "JumpScript", "CLineEdit"]),
    .testTarget(name: "CLITests", dependencies: ["JumpScript"]),
  ]
)
