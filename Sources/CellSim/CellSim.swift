// CellSim — CellSim/CellSim.swift
//
// The umbrella module: `import CellSim` gives a Swift program everything it needs to load a cell
// file, parse a protocol, run a simulation and write its outputs.

@_exported import CellCore
@_exported import CellExperiments
@_exported import CellExport
@_exported import CellParameters
@_exported import CellSimulation
@_exported import Integrators
@_exported import LithiumIon
@_exported import LithiumSulfur
@_exported import SolidState
