import FERBackbones
import FERFusion
import FERTensor
import Foundation

/// A figure over seeds: the values, their mean and sample standard deviation.
struct SeedFigure: Codable, Equatable {
    var values: [Double]
    var mean: Double
    var standardDeviation: Double

    init(_ values: [Double]) {
        self.values = values
        let mean = values.reduce(0, +) / Double(Swift.max(1, values.count))
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        self.mean = mean
        standardDeviation = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
    }

    /// `mean ± deviation` in percent (just the mean for one seed).
    var percentText: String {
        values.count > 1 ? String(format: "%.2f ± %.2f", 100 * mean, 100 * standardDeviation) : String(format: "%.2f", 100 * mean)
    }
}

/// The paper's Tables 1 and 2 as reproduced: test figures of each backbone
/// and of each pair under each fusion strategy, over seeds.
struct ReproductionTables {
    var data: String
    var seeds: Int
    var backbones: [Architecture]
    var pairs: [String]
    var strategies: [FusionStrategyKind]
    var backboneReports: [Architecture: [EvaluationReport<ClassifierRunDescription>]]
    var fusionReports: [String: [FusionStrategyKind: [EvaluationReport<FusionRunDescription>]]]

    /// Test accuracies (%) the Fusion Attention Network paper reports on RAF-DB
    /// that this comparison can be put next to; the other rows of its tables
    /// are not recorded here.
    static let paperAccuracy: [String: [FusionStrategyKind: Double]] = ["resnet18+resnet34": [.attention: 90.95]]

    /// What `summary.json` holds.
    struct Summary: Codable {
        var data: String
        var seeds: Int
        var backbones: [String: [String: SeedFigure]]
        var fusion: [String: [String: [String: SeedFigure]]]
        var ferkitVersion: String
    }

    private static func figures<C>(_ reports: [EvaluationReport<C>]) -> [String: SeedFigure] {
        [
            "accuracy": SeedFigure(reports.map(\.accuracy)), "mean_class_accuracy": SeedFigure(reports.map(\.meanClassAccuracy)),
            "macro_f1": SeedFigure(reports.map(\.macroF1)),
        ]
    }

    var summary: Summary {
        Summary(
            data: data, seeds: seeds,
            backbones: Dictionary(uniqueKeysWithValues: backbones.map { ($0.rawValue, Self.figures(backboneReports[$0] ?? [])) }),
            fusion: Dictionary(uniqueKeysWithValues: pairs.map { pair in
                (pair, Dictionary(uniqueKeysWithValues: strategies.map { ($0.rawValue, Self.figures(fusionReports[pair]?[$0] ?? [])) }))
            }),
            ferkitVersion: FERKitVersion.string)
    }

    /// Both tables in Markdown.
    var markdown: String {
        let over = seeds > 1 ? "mean ± standard deviation over \(seeds) seeds" : "one seed"
        var lines = [
            "Test figures (%) on \(data), \(over); every run selected its epoch on the validation split.", "",
            "Table 1: backbones", "",
            "| backbone | accuracy | mean class accuracy | macro-F1 |", "|---|---:|---:|---:|",
        ]
        for backbone in backbones {
            let figures = Self.figures(backboneReports[backbone] ?? [])
            lines.append("| \(backbone.rawValue) | \(figures["accuracy"]!.percentText) | \(figures["mean_class_accuracy"]!.percentText) | \(figures["macro_f1"]!.percentText) |")
        }
        lines += [
            "", "Table 2: fusion of two backbones (accuracy)", "",
            "| pair | " + strategies.map(\.rawValue).joined(separator: " | ") + " | paper (attention) |",
            "|---|" + String(repeating: "---:|", count: strategies.count + 1),
        ]
        for pair in pairs {
            let cells = strategies.map { SeedFigure((fusionReports[pair]?[$0] ?? []).map(\.accuracy)).percentText }
            let paper = Self.paperAccuracy[pair]?[.attention].map { String(format: "%.2f", $0) } ?? "-"
            lines.append("| \(pair) | " + cells.joined(separator: " | ") + " | \(paper) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
