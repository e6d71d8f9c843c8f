import CellSim
import Foundation
import Testing

@Test func diagLiSHang() throws {
  let json = try ShippedCell.marinescu2016.json().replacing(["reactions", "high_exchange_current_density_A_m2"], with: .number(1e300))
  let p = try LithiumSulfurParameters.load(json: json, fileName: "x.json")
  let model = try LithiumSulfurModel(parameters: p)
  let cell = model
  var y = try model.initialState(.stateOfCharge(1), ambientTemperature: 298)
  FileHandle.standardError.write(Data("init \(y)\n".utf8))
  var f = [Double](repeating: 0, count: 6)
  y.withUnsafeBufferPointer { yb in f.withUnsafeMutableBufferPointer { fb in cell.evaluate(yb, OperatingPoint(current: 3.4, ambientTemperature: 298), into: fb) } }
  FileHandle.standardError.write(Data("f \(f)\n".utf8))
  let proto = try CellProtocol(parsing: "Discharge at 1C for 1 s")
  var rows = 0
  let r = try simulate(model, protocol: proto, options: SimulationOptions(outputInterval: 1e-3)) { row in
    rows += 1
    FileHandle.standardError.write(Data("row \(rows) t=\(row[0]) v=\(row[2])\n".utf8))
  }
  print(r.status, r.statistics, rows)
}
