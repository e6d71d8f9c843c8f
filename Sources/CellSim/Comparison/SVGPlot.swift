// CellSim — CellSim/Comparison/SVGPlot.swift
//
// A tiny line-plot writer with no plotting dependency: a frame, ticks and grid, axis labels with units,
// a title, a legend, linear or logarithmic axes. Each series is exactly one `<path>` element (optionally
// with `<circle>` markers); axes, ticks and the legend use `<line>`, `<rect>` and `<text>` only, so a
// reader can count the series by counting paths.

import Foundation

/// A 2-D line plot rendered as a standalone SVG document.
public struct SVGPlot: Sendable {
  /// One curve of the plot.
  public struct Series: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// Draw a marker at every point (for sparse data such as Ragone points).
    public var markers: Bool
    public init(name: String, x: [Double], y: [Double], markers: Bool = false) {
      self.name = name
      self.x = x
      self.y = y
      self.markers = markers
    }
  }

  public var title: String
  /// Axis labels, with units, e.g. "capacity [mA h cm⁻²]".
  public var xLabel: String
  public var yLabel: String
  public var logX: Bool
  public var logY: Bool
  public var series: [Series]
  public var width = 720.0
  public var height = 480.0

  /// Line colours, cycled (colour-blind-safe Okabe–Ito palette).
  public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

  public init(title: String, xLabel: String, yLabel: String, logX: Bool = false, logY: Bool = false, series: [Series]) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.logX = logX
    self.logY = logY
    self.series = series
  }

  // MARK: - Axes

  struct Axis {
    var lo: Double
    var hi: Double
    var log: Bool
    var ticks: [Double]

    /// Position of value v in [0, 1] along the axis.
    func fraction(_ v: Double) -> Double {
      log ? (Foundation.log10(v) - Foundation.log10(lo)) / (Foundation.log10(hi) - Foundation.log10(lo)) : (v - lo) / (hi - lo)
    }

    static func make(_ values: [Double], log: Bool) -> Axis {
      let finite = values.filter { $0.isFinite && (!log || $0 > 0) }
      guard var lo = finite.min(), var hi = finite.max() else { return Axis(lo: log ? 1 : 0, hi: log ? 10 : 1, log: log, ticks: []) }
      if log {
        let a = Foundation.log10(lo).rounded(.down)
        var b = Foundation.log10(hi).rounded(.up)
        if b <= a { b = a + 1 }
        lo = pow(10, a)
        hi = pow(10, b)
        var ticks: [Double] = []
        let decades = Int(b - a)
        for d in 0...decades {
          let base = pow(10, a + Double(d))
          for m in decades <= 2 ? [1.0, 2, 5] : [1.0] where base * m <= hi * (1 + 1e-9) { ticks.append(base * m) }
        }
        return Axis(lo: lo, hi: hi, log: true, ticks: ticks)
      }
      if hi == lo {
        lo -= 0.5 * max(abs(lo), 1)
        hi += 0.5 * max(abs(hi), 1)
      }
      let step = niceStep((hi - lo) / 6)
      lo = (lo / step).rounded(.down) * step
      hi = (hi / step).rounded(.up) * step
      var ticks: [Double] = []
      var t = lo
      while t <= hi + 1e-9 * step {
        ticks.append(abs(t) < 1e-12 * step ? 0 : t)
        t += step
      }
      return Axis(lo: lo, hi: hi, log: false, ticks: ticks)
    }

    static func niceStep(_ raw: Double) -> Double {
      let exponent = Foundation.log10(raw).rounded(.down)
      let base = pow(10, exponent)
      let m = raw / base
      return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * base
    }
  }

  static func label(_ v: Double) -> String {
    if v == 0 { return "0" }
    let a = abs(v)
    if a >= 1e5 || a < 1e-3 { return String(format: "%.0e", v) }
    var s = String(format: a >= 100 ? "%.0f" : a >= 1 ? "%.2f" : "%.3f", v)
    if s.contains(".") {
      while s.hasSuffix("0") { s.removeLast() }
      if s.hasSuffix(".") { s.removeLast() }
    }
    return s
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  static func f(_ x: Double) -> String { String(format: "%.2f", x) }

  // MARK: - Rendering

  /// The SVG document.
  public func render() -> String {
    // The legend sits right of the frame; the document widens to fit its longest entry.
    let longest = Double(series.map(\.name.count).max() ?? 0)
    let left = 80.0, right = 56 + 7.4 * longest, top = 44.0, bottom = 64.0
    let width = self.width + max(0, right - 190)
    let plotW = width - left - right, plotH = height - top - bottom
    let xAxis = Axis.make(series.flatMap(\.x), log: logX)
    let yAxis = Axis.make(series.flatMap(\.y), log: logY)
    func px(_ v: Double) -> Double { left + xAxis.fraction(v) * plotW }
    func py(_ v: Double) -> Double { top + (1 - yAxis.fraction(v)) * plotH }
    let f = Self.f
    var s = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
      viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">
      <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="white"/>
      <text x="\(f(left + plotW / 2))" y="26" text-anchor="middle" font-size="16" font-weight="bold">\(Self.escape(title))</text>

      """
    // Grid and ticks.
    s += "<g stroke=\"#dddddd\" stroke-width=\"1\">\n"
    for t in xAxis.ticks { s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH))\"/>\n" }
    for t in yAxis.ticks { s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\"/>\n" }
    s += "</g>\n<g stroke=\"black\" stroke-width=\"1\">\n"
    for t in xAxis.ticks {
      s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH + 6))\"/>\n"
    }
    for t in yAxis.ticks { s += "<line x1=\"\(f(left - 6))\" y1=\"\(f(py(t)))\" x2=\"\(f(left))\" y2=\"\(f(py(t)))\"/>\n" }
    s += "</g>\n"
    s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"black\"/>\n"
    for t in xAxis.ticks {
      s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 21))\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
    }
    for t in yAxis.ticks {
      s += "<text x=\"\(f(left - 10))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(Self.label(t))</text>\n"
    }
    s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 16))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
    s += "<text x=\"20\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 20 \(f(top + plotH / 2)))\">\(Self.escape(yLabel))</text>\n"
    // Series: one path each, clipped to the frame.
    s += "<defs><clipPath id=\"frame\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\"/></clipPath></defs>\n"
    for (k, series) in series.enumerated() {
      let colour = Self.palette[k % Self.palette.count]
      var d = ""
      var pen = false
      var points: [(Double, Double)] = []
      for (x, y) in zip(series.x, series.y) {
        guard x.isFinite, y.isFinite, !logX || x > 0, !logY || y > 0 else {
          pen = false
          continue
        }
        d += (pen ? " L" : (d.isEmpty ? "M" : " M")) + "\(f(px(x))),\(f(py(y)))"
        pen = true
        points.append((px(x), py(y)))
      }
      if d.isEmpty { d = "M\(f(left)),\(f(top))" }  // an empty series still gets its (invisible) path
      s += "<g clip-path=\"url(#frame)\">\n<path d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(points.isEmpty ? " stroke-opacity=\"0\"" : "")><title>\(Self.escape(series.name))</title></path>\n"
      if series.markers {
        for (x, y) in points { s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3.5\" fill=\"\(colour)\"/>\n" }
      }
      s += "</g>\n"
    }
    // Legend.
    let lx = left + plotW + 16
    for (k, series) in series.enumerated() {
      let colour = Self.palette[k % Self.palette.count]
      let ly = top + 12 + 22 * Double(k)
      s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 24))\" y2=\"\(f(ly))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
      if series.markers { s += "<circle cx=\"\(f(lx + 12))\" cy=\"\(f(ly))\" r=\"3.5\" fill=\"\(colour)\"/>\n" }
      s += "<text x=\"\(f(lx + 30))\" y=\"\(f(ly + 4))\">\(Self.escape(series.name))</text>\n"
    }
    s += "</svg>\n"
    return s
  }
}
