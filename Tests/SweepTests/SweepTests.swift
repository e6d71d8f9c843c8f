// CellSim — SweepTests/SweepTests.swift
//
// `cellsim sweep` as a library: case generation (linear, log, list, Cartesian order, shards that
// partition the list), path validation with the nearest names, a real Chen2020 sweep whose rows equal
// single runs, failing cases that get their reason without stopping the others, a complete and
// parseable CSV, shards merged and an interrupted sweep resumed that equal the plain run byte for byte,
// and the physics of thicker electrodes. Few, cheap cases, so the suite stays fast in a debug build.

import CellSim
import Foundation
import Testing
import _TestSupport

enum Fixture {
  static let chen = "CellParams/lithium-ion/Chen2020.json"

  static func base(_ path: String = chen) throws -> SweepBase {
    try SweepBase(contentsOf: repositoryRoot().appendingPathComponent(path))
  }

  static func directory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cellsim-sweep-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// A plan from `--vary` specs and C-rates.
  static func plan(
    _ vary: [String], rates: String? = nil, protocolText: String? = "Discharge at {C}C until 2.5 V", model: String? = nil,
    base: SweepBase? = nil
  ) throws -> SweepPlan {
    var factors = try vary.map { try SweepFactor.vary($0) }
    if let rates { factors.append(try SweepFactor.cRates(rates)) }
    return try SweepPlan(
      base: base ?? Fixture.base(), cases: try SweepCaseList(factors: factors),
      protocolTemplate: rates == nil && protocolText?.contains("{C}") == true ? nil : protocolText, model: model)
  }

  /// Runs `plan` (or one shard of it) into `url` and returns the file's bytes.
  static func runToFile(_ plan: SweepPlan, _ url: URL, shard: SweepShard? = nil, workers: Int = 2) throws -> Data {
    let out = try SweepOutput(url: url, plan: plan, shard: shard)
    let todo = plan.cases.indices(shard: shard).filter { out.resumed[$0] == nil }
    _ = SweepRunner.run(plan, indices: todo, workers: workers) { out.append($0) }
    _ = try out.finish()
    return try Data(contentsOf: url)
  }
}

@Suite("sweep case generation")
struct SweepCaseTests {
  @Test("linear, log and list values")
  func values() throws {
    let linear = try SweepFactor.vary("positive.thickness_m=50e-6:120e-6:8").assignments.map { $0.values[0].value }
    #expect(linear.count == 8)
    #expect(linear.first == 50e-6 && linear.last == 120e-6)
    for (k, x) in linear.enumerated() { #expect(abs(x - (50e-6 + Double(k) * 10e-6)) < 1e-18) }

    let log = try SweepFactor.vary("positive.diffusivity_m2_s=log:1e-16:1e-13:4").assignments.map { $0.values[0].value }
    #expect(log.count == 4)
    for (k, x) in log.enumerated() { #expect(abs(x / pow(10, -16 + Double(k)) - 1) < 1e-12) }

    let list = try SweepFactor.vary("positive.porosity=0.25,0.30,0.35").assignments.map { $0.values[0].value }
    #expect(list == [0.25, 0.30, 0.35])
    #expect(try SweepFactor.vary("a=7").assignments.count == 1)
    #expect(try SweepFactor.cRates("0.5,1,2C").assignments.map(\.cRate) == [0.5, 1, 2])

    #expect(throws: SweepInputError.self) { try SweepFactor.vary("positive.porosity") }
    #expect(throws: SweepInputError.self) { try SweepFactor.vary("a=1:2") }
    #expect(throws: SweepInputError.self) { try SweepFactor.vary("a=log:0:1:3") }
    #expect(throws: SweepInputError.self) { try SweepFactor.vary("a=1:2:zero") }
    #expect(throws: SweepInputError.self) { try SweepFactor.cRates("1,-2") }
  }

  @Test("Cartesian product: size, order (last factor fastest), shared designs")
  func cartesian() throws {
    let list = try SweepCaseList(factors: [
      try SweepFactor.vary("a=1:3:3"), try SweepFactor.vary("b=10,20"), try SweepFactor.cRates("0.5,1,2,4"),
    ])
    #expect(list.count == 24)
    #expect(list.paths == ["a", "b"])
    let c0 = list.case(0)
    #expect(c0.values.map(\.value) == [1, 10] && c0.cRate == 0.5)
    let c5 = list.case(5)
    #expect(c5.values.map(\.value) == [1, 20] && c5.cRate == 1)
    let last = list.case(23)
    #expect(last.values.map(\.value) == [3, 20] && last.cRate == 4)
    // Every combination exactly once; cases differing only in C-rate share a design index.
    var seen = Set<String>()
    for k in 0..<list.count {
      let c = list.case(k)
      seen.insert("\(c.values.map(\.value)) \(c.cRate!)")
      #expect(c.designIndex == k / 4)
    }
    #expect(seen.count == 24)
    #expect(throws: SweepInputError.self) { try SweepCaseList(factors: [try SweepFactor.vary("a=1,2"), try SweepFactor.vary("a=3")]) }
  }

  @Test("shards K/N partition the case list exactly")
  func shards() throws {
    let list = try SweepCaseList(factors: [try SweepFactor.vary("a=1:2:7"), try SweepFactor.cRates("1,2,3")])
    for n in 1...6 {
      var all: [Int] = []
      for k in 0..<n {
        let part = list.indices(shard: try SweepShard(index: k, count: n))
        #expect(part.allSatisfy { $0 % n == k })
        all += part
      }
      #expect(all.sorted() == Array(0..<list.count))
      #expect(Set(all).count == all.count)
    }
    #expect(throws: SweepInputError.self) { try SweepShard.parse("5/4", environment: [:]) }
    #expect(throws: SweepInputError.self) { try SweepShard.parse("4/4", environment: [:]) }
    #expect(throws: SweepInputError.self) { try SweepShard.parse("auto", environment: [:]) }
    #expect(try SweepShard.parse("2/4", environment: [:]) == SweepShard(index: 2, count: 4))
    let slurm = ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"]
    #expect(try SweepShard.parse("auto", environment: slurm) == SweepShard(index: 2, count: 4))
    #expect(try SweepShard.parse("auto/3", environment: ["JOB_COMPLETION_INDEX": "2"]) == SweepShard(index: 2, count: 3))
  }

  @Test("design CSV: rows, c_rate column, a bad row named by its line")
  func designCSV() throws {
    let good = "positive.thickness_m,negative.thickness_m,c_rate\n7.56e-5,8.52e-5,1\n# comment\n\n8e-5,9e-5,2\n"
    let f = try SweepFactor.design(csv: good, fileName: "designs.csv")
    #expect(f.assignments.count == 2)
    #expect(f.assignments[1].values.map(\.value) == [8e-5, 9e-5] && f.assignments[1].cRate == 2)
    do {
      _ = try SweepFactor.design(csv: "positive.thickness_m,c_rate\n7e-5,1\n8e-5\n", fileName: "designs.csv")
      Issue.record("a short row was accepted")
    } catch { #expect(error.description.hasPrefix("designs.csv:3:")) }
    do {
      _ = try SweepFactor.design(csv: "positive.thickness_m\n7e-5\nabc\n", fileName: "designs.csv")
      Issue.record("a non-number was accepted")
    } catch { #expect(error.description.contains("designs.csv:3:") && error.description.contains("'abc'")) }
  }
}

@Suite("sweep path validation")
struct SweepPathTests {
  @Test("unknown paths are refused before anything runs, with the nearest valid names")
  func unknown() throws {
    let base = try Fixture.base()
    #expect(base.paths.baseValue("positive.thickness_m") == 7.56e-5)
    #expect(base.paths.baseValue("stack.layers.1.thickness_m") == 7.56e-5)
    do {
      try base.paths.validate("positive.thikness_m")
      Issue.record("a misspelt path was accepted")
    } catch { #expect(error.suggestions.first == "positive.thickness_m") }
    do {
      try base.paths.validate("positive.ocp_V")
      Issue.record("an expression field was accepted")
    } catch { #expect(error.problem.contains("not a number")) }
    do {
      _ = try Fixture.plan(["positive.thikness_m=1e-5,2e-5", "negative.porosty=0.3"], rates: "1")
      Issue.record("the plan was accepted")
    } catch let error as SweepInputError {
      #expect(error.description.contains("did you mean 'positive.thickness_m'"))
      #expect(error.description.contains("'negative.porosity'"))
    }
    #expect(throws: SweepInputError.self) { try Fixture.plan(["positive.porosity=0.3"], rates: "1", protocolText: "Discharge at 1C until 2.5 V") }
  }
}

@Suite("sweep runs")
struct SweepRunTests {
  @Test("2 thicknesses × 2 C-rates on Chen2020: rows equal single runs; 1C and the stack follow the design")
  func rowsEqualSingleRuns() throws {
    let plan = try Fixture.plan(["positive.thickness_m=7.56e-5,8.5e-5"], rates: "0.5,2")
    var rows: [Int: SweepRow] = [:]
    let stats = SweepRunner.run(plan, indices: Array(0..<plan.cases.count), workers: 2) { rows[$0.index] = $0 }
    #expect(stats.cases == 4 && rows.count == 4)
    let plain = try LoadedCell(contentsOf: repositoryRoot().appendingPathComponent(Fixture.chen))
    for k in 0..<4 {
      let row = try #require(rows[k])
      let c = plan.cases.case(k)
      #expect(row.status == .ok)
      // The same case by hand: the design's cell, its default model, the protocol, default options.
      let cell = try plan.base.cell(with: c.values)
      let result = try simulate(try cell.makeModel(), protocol: try CellProtocol(parsing: "Discharge at \(SweepCSV.format(c.cRate!))C until 2.5 V"))
      let step = try #require(result.steps.first)
      #expect(row.capacity == step.capacity && row.energy == step.energy && row.meanVoltage == step.meanVoltage)
      #expect(row.endTime == result.endTime && row.endReason == step.reason.description)
      #expect(row.specificEnergy > 0 && row.energyDensity > 0)
      if c.values[0].value == 7.56e-5 {
        // The file's own thickness: the plain cell file, nothing derived changed.
        let direct = try simulate(try plain.makeModel(), protocol: try CellProtocol(parsing: "Discharge at \(SweepCSV.format(c.cRate!))C until 2.5 V"))
        #expect(row.capacity == direct.steps[0].capacity && row.endTime == direct.endTime)
        #expect(row.oneCCurrent == 5.0)
      } else {
        guard case .lithiumIon(let p) = cell.parameters, case .lithiumIon(let p0) = plain.parameters else {
          Issue.record("not lithium-ion")
          return
        }
        let ratio = try ElectrodeBalance(parameters: p).capacity / ElectrodeBalance(parameters: p0).capacity
        #expect(abs(row.oneCCurrent - 5.0 * ratio) < 1e-12)
        #expect(row.oneCCurrent != 5.0)
        let layer = try #require(p.stack?.layers(.positiveElectrode).first)
        #expect(abs(layer.thickness - 8.5e-5) < 1e-18)
      }
    }
  }

  @Test("failing cases get a row with their reason and do not stop the others")
  func failures() throws {
    // 50 µm cannot hold the lithium inventory (no eSOH window), −0.1 is out of range, 200C cannot run.
    let plan = try Fixture.plan(["positive.thickness_m=5e-5,7.56e-5", "positive.porosity=-0.1,0.335"], rates: "1,200")
    var rows: [Int: SweepRow] = [:]
    _ = SweepRunner.run(plan, indices: Array(0..<plan.cases.count), workers: 2) { rows[$0.index] = $0 }
    #expect(rows.count == 8)
    for (k, row) in rows {
      let c = plan.cases.case(k)
      let thin = c.values[0].value == 5e-5
      let negative = c.values[1].value < 0
      if thin || negative {
        #expect(row.status == .invalidDesign)
        #expect(!row.endReason.isEmpty)
        if negative { #expect(row.endReason.contains("positive.porosity")) }
      } else if c.cRate == 1 {
        #expect(row.status == .ok && row.capacity > 4.9)
      } else {
        #expect(row.status != .ok || row.capacity < 1, "200C: \(row.status) \(row.endReason)")
        #expect(!row.endReason.isEmpty)
      }
    }
  }

  @Test("the CSV is complete and parseable; 4 shards merged equal the plain run; a resumed run equals it too")
  func csvShardsMergeResume() throws {
    let dir = try Fixture.directory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let plan = try Fixture.plan(["positive.thickness_m=5e-5,7.56e-5,8e-5"], rates: "0.5,1,3")
    let full = try Fixture.runToFile(plan, dir.appendingPathComponent("sweep.csv"))

    // Complete and parseable.
    let contents = try SweepCSV.read(dir.appendingPathComponent("sweep.csv"))
    #expect(contents.header == ["case", "positive.thickness_m", "c_rate"] + SweepCSV.resultColumns)
    #expect(contents.lines.keys.sorted() == Array(0..<9))
    let text = String(decoding: full, as: UTF8.self)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count == 10)
    for (n, line) in lines.dropFirst().enumerated() {
      let f = SweepCSV.fields(of: line)
      #expect(f.count == contents.header.count)
      #expect(Int(f[0]) == n)  // written in case order
      #expect(SweepStatus(rawValue: f[3]) != nil)
      if f[3] == "ok" { for i in 5..<f.count { #expect(Double(f[i]) != nil, "\(contents.header[i]) in \(line)") } }
    }

    // 4 shards, merged.
    var parts: [URL] = []
    for k in 0..<4 {
      let url = dir.appendingPathComponent("part\(k).csv")
      _ = try Fixture.runToFile(plan, url, shard: try SweepShard(index: k, count: 4), workers: 1)
      parts.append(url)
    }
    #expect(throws: SweepInputError.self) { try SweepOutput.merge(Array(parts.prefix(3)), into: dir.appendingPathComponent("x.csv")) }
    try SweepOutput.merge(parts, into: dir.appendingPathComponent("merged.csv"))
    #expect(try Data(contentsOf: dir.appendingPathComponent("merged.csv")) == full)
    #expect(
      try Data(contentsOf: SweepManifest.url(for: dir.appendingPathComponent("merged.csv")))
        == Data(contentsOf: SweepManifest.url(for: dir.appendingPathComponent("sweep.csv"))))

    // Interrupted: some rows streamed in completion order, then a partial line; resumed.
    let resumedURL = dir.appendingPathComponent("resumed.csv")
    do {
      let out = try SweepOutput(url: resumedURL, plan: plan, shard: nil)
      _ = SweepRunner.run(plan, indices: [7, 2, 4], workers: 2) { out.append($0) }
      _ = try out.finish()
      let h = try FileHandle(forWritingTo: resumedURL)
      try h.seekToEnd()
      try h.write(contentsOf: Data("5,8e-05,0.5,ok,volt".utf8))  // killed mid-line
      try h.close()
    }
    let out = try SweepOutput(url: resumedURL, plan: plan, shard: nil)
    #expect(out.resumed.keys.sorted() == [2, 4, 7])
    var ran: [Int] = []
    let todo = plan.cases.indices(shard: nil).filter { out.resumed[$0] == nil }
    _ = SweepRunner.run(plan, indices: todo, workers: 2) {
      ran.append($0.index)
      out.append($0)
    }
    _ = try out.finish()
    #expect(ran.sorted() == [0, 1, 3, 5, 6, 8])
    #expect(try Data(contentsOf: resumedURL) == full)

    // Another sweep into the same file is refused (not silently mixed).
    let other = try Fixture.plan(["positive.thickness_m=7e-5"], rates: "1")
    #expect(throws: SweepInputError.self) { try SweepOutput(url: resumedURL, plan: other, shard: nil) }
  }

  @Test("thicker electrodes: more capacity at C/10, less SPMe rate capability at 2C")
  func thicknessPhysics() throws {
    // Both electrodes scaled together (the balance kept), so the eSOH window exists for every design.
    let design = "negative.thickness_m,positive.thickness_m\n7.0e-5,6.2e-5\n8.52e-5,7.56e-5\n1.0e-4,8.87e-5\n"
    let factors = [try SweepFactor.design(csv: design, fileName: "designs.csv"), try SweepFactor.cRates("0.1,2")]
    let plan = try SweepPlan(
      base: try Fixture.base(), cases: try SweepCaseList(factors: factors),
      protocolTemplate: "Discharge at {C}C until 2.5 V", model: "spme")
    var rows: [Int: SweepRow] = [:]
    _ = SweepRunner.run(plan, indices: Array(0..<plan.cases.count), workers: 2) { rows[$0.index] = $0 }
    #expect(rows.values.allSatisfy { $0.status == .ok })
    let slow = (0..<3).map { rows[2 * $0]!.capacity }
    let fast = (0..<3).map { rows[2 * $0 + 1]!.capacity }
    #expect(slow[0] < slow[1] && slow[1] < slow[2], "C/10 capacities \(slow)")
    let retention = (0..<3).map { fast[$0] / slow[$0] }
    #expect(retention[0] > retention[1] && retention[1] > retention[2], "2C/C-10 retention \(retention)")
  }
}

@Suite("AnySimulator")
struct AnySimulatorTests {
  @Test("runs on one simulator (README's library example) equal fresh runs; capacity falls with the C-rate")
  func reusedAcrossRates() throws {
    let cell = try LoadedCell(contentsOf: repositoryRoot().appendingPathComponent(Fixture.chen))
    let simulator = AnySimulator(try cell.makeModel("spm"))
    var capacities: [Double] = []
    for c in [0.5, 1, 2] {
      let cellProtocol = try CellProtocol(parsing: "Discharge at \(c)C until 2.5 V")
      let reused = try simulator.run(protocol: cellProtocol)
      let fresh = try simulate(try cell.makeModel("spm"), protocol: cellProtocol)
      #expect(reused.values == fresh.values, "at \(c)C")
      #expect(reused.statistics == fresh.statistics, "at \(c)C")
      capacities.append(reused.totalCapacity)
    }
    #expect(capacities[0] > capacities[1] && capacities[1] > capacities[2], "capacities \(capacities)")
  }
}
