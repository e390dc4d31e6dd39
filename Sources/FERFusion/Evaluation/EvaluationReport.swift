import FERTensor
import Foundation

/// Everything one evaluation printed, as a JSON document: the figures, the
/// confusion matrix, and what they were measured on (dataset, split sizes,
/// seeds, configuration, library version), so that a number in a table can
/// be traced to the run that made it (DESIGN.md section 7).
///
/// `Configuration` is whatever describes the run (a training or fusion
/// configuration); it is written as a nested JSON object.
public struct EvaluationReport<Configuration: Codable>: Codable {
    /// Figures of one class.
    public struct ClassFigures: Codable, Equatable, Sendable {
        /// Class name.
        public var name: String
        /// Right predictions over predictions of the class.
        public var precision: Double
        /// Right predictions over samples of the class.
        public var recall: Double
        /// Harmonic mean of precision and recall.
        public var f1: Double
        /// Samples of the class.
        public var support: Int

        /// The figures of class `name`.
        public init(name: String, precision: Double, recall: Double, f1: Double, support: Int) {
            self.name = name
            self.precision = precision
            self.recall = recall
            self.f1 = f1
            self.support = support
        }
    }

    /// The dataset, e.g. `RAF-DB basic (/data/rafdb)`.
    public var dataset: String
    /// The split evaluated (`test`, `validation`).
    public var split: String
    /// Sizes of the splits of the run (`train`, `validation`, `test`).
    public var splitSizes: [String: Int]
    /// Seeds of the run (data split, initialisation, order).
    public var seeds: [UInt64]
    /// How the model was built and trained.
    public var configuration: Configuration
    /// Whether each image's mirror image was averaged in.
    public var testTimeAugmentation: Bool
    /// Fraction of samples predicted right.
    public var accuracy: Double
    /// Mean recall over classes.
    public var meanClassAccuracy: Double
    /// Mean F1 over classes.
    public var macroF1: Double
    /// Precision, recall, F1 and support of each class.
    public var perClass: [ClassFigures]
    /// Class names, indexing the matrix.
    public var classNames: [String]
    /// `confusion[label][prediction]`.
    public var confusion: [[Int]]
    /// FERKit version that evaluated.
    public var libraryVersion: String
    /// When the evaluation ran (ISO 8601, UTC).
    public var date: String

    /// The report of `metrics` measured on `split` of `dataset`.
    public init(
        metrics: ClassificationMetrics, dataset: String, split: String, splitSizes: [String: Int], seeds: [UInt64],
        configuration: Configuration, testTimeAugmentation: Bool, date: Date = Date()
    ) {
        self.dataset = dataset
        self.split = split
        self.splitSizes = splitSizes
        self.seeds = seeds
        self.configuration = configuration
        self.testTimeAugmentation = testTimeAugmentation
        accuracy = metrics.accuracy
        meanClassAccuracy = metrics.meanClassAccuracy
        macroF1 = metrics.macroF1
        let (precision, recall, f1, support) = (metrics.precision, metrics.recall, metrics.f1, metrics.support)
        perClass = metrics.classNames.indices.map {
            ClassFigures(name: metrics.classNames[$0], precision: precision[$0], recall: recall[$0], f1: f1[$0], support: support[$0])
        }
        classNames = metrics.classNames
        confusion = metrics.confusion
        libraryVersion = FERKitVersion.string
        self.date = ISO8601DateFormatter().string(from: date)
    }

    enum CodingKeys: String, CodingKey {
        case dataset, split, splitSizes = "split_sizes", seeds, configuration
        case testTimeAugmentation = "test_time_augmentation", accuracy, meanClassAccuracy = "mean_class_accuracy"
        case macroF1 = "macro_f1", perClass = "per_class", classNames = "class_names", confusion
        case libraryVersion = "ferkit_version", date
    }

    /// Writes the report as indented JSON with sorted keys, replacing `url` atomically.
    ///
    /// - Throws: the encoding or file-system error.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// Reads a report written by `write(to:)`.
    ///
    /// - Throws: the file's read error or a `DecodingError`.
    public static func read(contentsOf url: URL) throws -> EvaluationReport {
        try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: url))
    }

    /// The report as text: the figures, a per-class table and the confusion matrix.
    public var summary: String {
        let nameWidth = Swift.max(8, classNames.map(\.count).max() ?? 0)
        func padded(_ text: String, _ width: Int, left: Bool = false) -> String {
            let padding = String(repeating: " ", count: Swift.max(0, width - text.count))
            return left ? text + padding : padding + text
        }
        var lines = [
            "\(dataset), \(split) split (\(splitSizes[split].map(String.init) ?? "?") images)\(testTimeAugmentation ? ", flip TTA" : "")",
            "accuracy \(percent(accuracy))  mean class accuracy \(percent(meanClassAccuracy))  macro-F1 \(fixed(macroF1, 4))",
            "",
            padded("class", nameWidth, left: true) + "  precision  recall      F1  support",
        ]
        for figures in perClass {
            lines.append(
                padded(figures.name, nameWidth, left: true) + padded(percent(figures.precision), 11)
                    + padded(percent(figures.recall), 8) + padded(fixed(figures.f1, 3), 8) + padded("\(figures.support)", 9))
        }
        lines += ["", "confusion matrix (rows: label, columns: prediction)"]
        let cellWidth = Swift.max(6, (confusion.joined().max() ?? 0).description.count + 2)
        lines.append(padded("", nameWidth) + classNames.map { padded(String($0.prefix(cellWidth - 1)), cellWidth) }.joined())
        for (name, row) in zip(classNames, confusion) {
            lines.append(padded(name, nameWidth, left: true) + row.map { padded("\($0)", cellWidth) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
