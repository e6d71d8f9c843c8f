// swift-tools-version: 6.1
//
// CellSim — battery-cell simulator: lithium-ion, all-solid-state and lithium-sulfur cells on one engine.
//
// Dependency direction (each module knows only what is to its left):
//   CLinearAlgebra ← LinearAlgebra ← Integrators ← CellCore ← {LithiumIon, …chemistries}
//   CellCore ← {CellParameters, CellExperiments, CellExport} ← CellSimulation ← CellSim ← cellsim
import PackageDescription

let package = Package(
  name: "cellsim",
  products: [
    .library(name: "CellSim", targets: ["CellSim"]),
    .executable(name: "cellsim", targets: ["cellsim"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
  ],
  targets: [
    // MARK: - Implementation details
    .systemLibrary(
      name: "CLinearAlgebra", pkgConfig: "lapacke",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),

    // MARK: - Numerics (no battery knowledge)
    .target(name: "LinearAlgebra", dependencies: ["CLinearAlgebra"]),
    .target(name: "Integrators", dependencies: ["LinearAlgebra"]),

    // MARK: - Cell physics shared by every chemistry
    .target(name: "CellCore", dependencies: ["Integrators"]),

    // MARK: - Chemistries
    .target(name: "LithiumIon", dependencies: ["CellCore", "CellParameters"]),
    .target(name: "LithiumSulfur", dependencies: ["CellCore", "CellParameters"]),
    .target(name: "SolidState", dependencies: ["CellCore", "CellParameters"]),

    // MARK: - Inputs and outputs
    .target(name: "CellParameters", dependencies: ["CellCore"]),
    .target(name: "CellExperiments", dependencies: ["CellCore"]),
    .target(name: "CellExport", dependencies: ["CellCore", "CellSimulation"]),

    // MARK: - Protocol engine and public API
    .target(
      name: "CellSimulation", dependencies: ["CellCore", "Integrators", "CellExperiments"]),
    .target(
      name: "CellSim",
      dependencies: [
        "CellCore", "CellParameters", "CellExperiments", "CellExport", "CellSimulation", "LithiumIon",
        "LithiumSulfur", "SolidState",
      ]),
    .executableTarget(
      name: "cellsim",
      dependencies: ["CellSim", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

    // MARK: - Tests
    .target(name: "_TestSupport", dependencies: ["CellCore"], path: "Tests/_TestSupport"),
    .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
    .testTarget(name: "IntegratorsTests", dependencies: ["Integrators"]),
    .testTarget(name: "CellCoreTests", dependencies: ["CellCore"]),
    .testTarget(name: "CellExperimentsTests", dependencies: ["CellExperiments"]),
    .testTarget(
      name: "CellParametersTests", dependencies: ["CellParameters", "LithiumIon", "_TestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "LithiumIonTests", dependencies: ["CellSim", "_TestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "LithiumSulfurTests", dependencies: ["CellSim", "_TestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "SolidStateTests", dependencies: ["CellSim", "_TestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(name: "EndToEndTests", dependencies: ["cellsim", "CellSim", "_TestSupport"]),
    .testTarget(
      name: "RobustnessTests", dependencies: ["cellsim", "CellSim", "_TestSupport"], resources: [.copy("Corpus")]),
    .testTarget(name: "ComparisonTests", dependencies: ["CellSim", "_TestSupport"]),
    .testTarget(name: "BPXTests", dependencies: ["CellSim", "_TestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(name: "SweepTests", dependencies: ["CellSim", "_TestSupport"]),
  ]
)

