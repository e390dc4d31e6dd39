// swift-tools-version: 6.0
import PackageDescription

/// FERKit: facial expression recognition in Swift, on OpenBLAS and LAPACKE.
///
/// Library targets carry no `unsafeFlags`, so other packages can depend on
/// FERKit. The hottest loops live in `CFERKernels`, whose functions select an
/// AVX-512 / AVX2 / baseline version at run time (`target_clones`).
let package = Package(
    name: "FERKit",
    products: [
        .library(name: "FERTensor", targets: ["FERTensor"]),
        .library(name: "FERNN", targets: ["FERNN"]),
        .library(name: "FERBackbones", targets: ["FERBackbones"]),
        .library(name: "FERFusion", targets: ["FERFusion"]),
        .library(name: "FERData", targets: ["FERData"]),
        .executable(name: "fer", targets: ["fer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, found through pkg-config.
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CLAPACKE", pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(
            name: "CJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(
            name: "CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),

        // Hot loops in C with run-time ISA dispatch, and OpenBLAS start-up fixes.
        .target(name: "CFERKernels", dependencies: ["COpenBLAS"]),
        // libjpeg-turbo and libpng behind error-safe entry points (their error paths longjmp).
        .target(name: "CFERCodecs", dependencies: ["CJPEG", "CPNG"]),

        .target(name: "FERTensor", dependencies: ["CFERKernels", "COpenBLAS", "CLAPACKE"]),
        .target(name: "FERNN", dependencies: ["FERTensor"]),
        .target(name: "FERBackbones", dependencies: ["FERNN"]),
        .target(name: "FERFusion", dependencies: ["FERBackbones"]),
        .target(name: "FERData", dependencies: ["FERTensor", "CFERKernels", "CFERCodecs", "CJPEG", "CPNG"]),

        .executableTarget(
            name: "fer",
            dependencies: [
                "FERTensor", "FERNN", "FERBackbones", "FERFusion", "FERData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Examples: short programs on the library API (each builds with the package).
        .executableTarget(name: "TensorTour", dependencies: ["FERTensor"], path: "Examples/TensorTour"),
        .executableTarget(
            name: "TrainBackbone", dependencies: ["FERBackbones", "FERData", "FERFusion"], path: "Examples/TrainBackbone"),
        .executableTarget(
            name: "FuseWithAttention", dependencies: ["FERBackbones", "FERData", "FERFusion"], path: "Examples/FuseWithAttention"),
        .executableTarget(name: "PredictExpressions", dependencies: ["FERData", "FERFusion"], path: "Examples/PredictExpressions"),
        .executableTarget(name: "EmbedFusionHead", dependencies: ["FERFusion"], path: "Examples/EmbedFusionHead"),

        // Checks shared by several test targets (finite-difference gradients of modules).
        .target(name: "FERTestSupport", dependencies: ["FERNN"], path: "Tests/FERTestSupport"),

        .testTarget(name: "FERTensorTests", dependencies: ["FERTensor", "FERTestSupport"]),
        .testTarget(
            name: "FERBackbonesTests", dependencies: ["FERBackbones", "FERTestSupport"],
            exclude: ["Fixtures/generate_torchvision_keys.py"],
            resources: [.copy("Fixtures/torchvision_state_dicts.json")]),
        .testTarget(
            name: "FERNNTests", dependencies: ["FERNN"],
            exclude: ["Fixtures/generate_golden.py"],
            resources: [.copy("Fixtures/golden.safetensors")]),
        .testTarget(name: "FERFusionTests", dependencies: ["FERFusion", "FERTestSupport"]),
        .testTarget(
            name: "FERToolTests",
            dependencies: ["fer", "TrainBackbone", "FuseWithAttention", "PredictExpressions", "EmbedFusionHead"]),
        .testTarget(
            name: "FERDataTests", dependencies: ["FERData", "FERTestSupport"],
            exclude: ["generate_image_fixtures.py"],
            resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v5]
)
