// swift-tools-version: 6.1
//
// CellSim benchmarks (ordo-one/benchmark). A nested package, so that users of the library never
// resolve the benchmark dependencies. Run from the repository root:
//
//   swift package --package-path Benchmarks benchmark
//   swift package --package-path Benchmarks benchmark --filter "spm-1c"
import PackageDescription

let package = Package(
  name: "cellsim-benchmarks",
  platforms: [.macOS(.v13)],
  dependencies: [
    .package(name: "cellsim", path: ".."),
    .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "SolverThroughput",
      dependencies: [
        .product(name: "CellSim", package: "cellsim"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "SolverThroughput",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
  ]
)
