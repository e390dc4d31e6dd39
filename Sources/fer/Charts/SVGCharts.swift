import FERFusion
import Foundation

/// Writes the training curves and the test confusion matrix of a run as SVG.
func writeCharts(history: [EpochRecord], metrics: ClassificationMetrics, in directory: RunDirectory) throws {
    if !history.isEmpty { try trainingCurvesSVG(history).write(to: directory.curves, atomically: true, encoding: .utf8) }
    try confusionMatrixSVG(metrics).write(to: directory.confusion, atomically: true, encoding: .utf8)
}

/// Two panels side by side: loss and accuracy per epoch, training and validation.
func trainingCurvesSVG(_ history: [EpochRecord]) -> String {
    let panelWidth = 360.0, panelHeight = 240.0, margin = 48.0
    let epochs = history.map { Double($0.epoch) }
    let panels: [(title: String, series: [(name: String, color: String, values: [Double])], percent: Bool)] = [
        ("loss", [("train", "#1f77b4", history.map(\.trainLoss)), ("validation", "#d62728", history.map(\.validationLoss))], false),
        ("accuracy", [("train", "#1f77b4", history.map(\.trainAccuracy)), ("validation", "#d62728", history.map(\.validationAccuracy))], true),
    ]
    var svg = SVGDocument(width: 2 * (panelWidth + margin) + margin, height: panelHeight + 2 * margin)
    for (index, panel) in panels.enumerated() {
        let left = margin + Double(index) * (panelWidth + margin), top = margin / 2 + 8
        let values = panel.series.flatMap(\.values).filter(\.isFinite)
        var (low, high) = (values.min() ?? 0, values.max() ?? 1)
        if panel.percent { (low, high) = (Swift.min(low, 0), Swift.max(high, 1)) }
        if high - low < 1e-9 { high = low + 1 }
        let (first, last) = (epochs.first ?? 1, Swift.max(epochs.last ?? 1, (epochs.first ?? 1) + 1))
        func x(_ epoch: Double) -> Double { left + (epoch - first) / (last - first) * panelWidth }
        func y(_ value: Double) -> Double { top + panelHeight - (value - low) / (high - low) * panelHeight }
        svg.rectangle(x: left, y: top, width: panelWidth, height: panelHeight, fill: "none", stroke: "#999")
        svg.text(panel.title, x: left + panelWidth / 2, y: top - 6, anchor: "middle", size: 14)
        for tick in 0...4 {
            let value = low + (high - low) * Double(tick) / 4
            svg.text(panel.percent ? String(format: "%.0f%%", 100 * value) : String(format: "%.2f", value),
                     x: left - 4, y: y(value) + 4, anchor: "end", size: 10)
        }
        svg.text("epoch \(Int(first))", x: left, y: top + panelHeight + 14, anchor: "start", size: 10)
        svg.text("epoch \(Int(last))", x: left + panelWidth, y: top + panelHeight + 14, anchor: "end", size: 10)
        for (offset, series) in panel.series.enumerated() {
            let points = zip(epochs, series.values).filter { $0.1.isFinite }.map { (x($0.0), y($0.1)) }
            svg.polyline(points, stroke: series.color)
            svg.text("— " + series.name, x: left + 90 * Double(offset), y: top + panelHeight + 30, anchor: "start", size: 11, fill: series.color)
        }
    }
    return svg.rendered
}

/// The confusion matrix as a grid: rows are labels, columns predictions;
/// each cell shaded by its share of the row and labelled with its count.
func confusionMatrixSVG(_ metrics: ClassificationMetrics) -> String {
    let names = metrics.classNames, cell = 56.0, left = 96.0, top = 116.0
    var svg = SVGDocument(width: left + cell * Double(names.count) + 16, height: top + cell * Double(names.count) + 40)
    svg.text(String(format: "accuracy %.2f%%, mean class accuracy %.2f%%", 100 * metrics.accuracy, 100 * metrics.meanClassAccuracy),
             x: left, y: 20, anchor: "start", size: 13)
    svg.text("prediction", x: left + cell * Double(names.count) / 2, y: 40, anchor: "middle", size: 12)
    for (row, counts) in metrics.confusion.enumerated() {
        let total = Swift.max(1, counts.reduce(0, +))
        svg.text(names[row], x: left - 6, y: top + cell * (Double(row) + 0.55), anchor: "end", size: 11)
        for (column, count) in counts.enumerated() {
            let share = Double(count) / Double(total)
            let (x, y) = (left + cell * Double(column), top + cell * Double(row))
            let shade = Int(255 - 200 * share)
            svg.rectangle(x: x, y: y, width: cell, height: cell, fill: "rgb(\(shade),\(shade),255)", stroke: "#fff")
            svg.text("\(count)", x: x + cell / 2, y: y + cell / 2 + 4, anchor: "middle", size: 12, fill: share > 0.5 ? "#fff" : "#000")
        }
    }
    for (column, name) in names.enumerated() {
        let x = left + cell * (Double(column) + 0.5)
        svg.text(name, x: x, y: top - 8, anchor: "start", size: 11, rotation: -45)
    }
    return svg.rendered
}

/// A small SVG writer: rectangles, polylines and text.
struct SVGDocument {
    private var elements: [String] = []
    private let width: Double, height: Double

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String) {
        elements.append("<rect x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String) {
        let list = points.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ")
        elements.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\"/>")
    }

    mutating func text(
        _ content: String, x: Double, y: Double, anchor: String, size: Double, fill: String = "#000", rotation: Double = 0
    ) {
        let escaped = content.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        let transform = rotation == 0 ? "" : " transform=\"rotate(\(rotation) \(x) \(y))\""
        elements.append(
            "<text x=\"\(x)\" y=\"\(y)\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(transform)>\(escaped)</text>")
    }

    /// The document's text.
    var rendered: String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="sans-serif">
        <rect width="100%" height="100%" fill="#fff"/>
        \(elements.joined(separator: "\n"))
        </svg>

        """
    }
}
