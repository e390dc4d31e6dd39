import ArgumentParser
import FERData
import FERFusion
import Foundation

/// `fer evaluate`: the full report of a trained model on a dataset split.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained model (a network or a fusion model) on a dataset split.",
        discussion: """
            Prints accuracy, mean class accuracy, macro-F1, per-class precision/recall/F1 and the \
            confusion matrix (--json: the report as JSON). With --out, writes report.json, \
            confusion.svg and a contact sheet of misclassified images (misclassified.png) there.
            """)

    @Option(help: ArgumentHelp("Model checkpoint (best.safetensors of a run).", valueName: "path"))
    var checkpoint: String

    @OptionGroup var data: DataOptions

    @Option(help: "Split to evaluate: train, validation or test.")
    var split: Split = .test

    @Flag(help: "Flip test-time augmentation: average each image with its mirror image.")
    var tta = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Directory for report.json, confusion.svg and misclassified.png.", valueName: "directory"))
    var out: String?

    @Option(help: "Misclassified images on the contact sheet (with --out).")
    var misclassified = 48

    /// The splits on the command line.
    enum Split: String, ExpressibleByArgument, CaseIterable {
        case train, validation, test
    }

    /// What an evaluation report records about the model.
    struct Description: Codable {
        var checkpoint: String
        var model: String
        var data: String
    }

    func validate() throws {
        guard FileManager.default.fileExists(atPath: checkpoint) else { throw ValidationError("--checkpoint \(checkpoint): no such file") }
        guard misclassified >= 0 else { throw ValidationError("--misclassified must not be negative") }
    }

    func run() throws {
        let model = try TrainedModel.load(contentsOf: URL(fileURLWithPath: checkpoint))
        let splits = try data.load()
        let dataset = switch split {
        case .train: splits.train
        case .validation: splits.validation
        case .test: splits.test
        }
        guard dataset.classNames == model.classNames else {
            throw ValidationError("\(checkpoint) predicts \(model.classNames), the data has \(dataset.classNames)")
        }
        var wrong: [(id: String, label: Int, prediction: Int)] = []
        var metrics = ClassificationMetrics(classNames: model.classNames)
        let batches = ImageBatches.evaluation(dataset, preprocessing: model.preprocessing).epoch()
        while let batch = try batches.next() {
            let predictions = model.network.classProbabilities(batch.images, flipTTA: tta).argmax(alongAxis: 1).scalars.map { Int($0) }
            metrics.add(predictions: predictions, labels: batch.labels)
            for (index, prediction) in predictions.enumerated() where prediction != batch.labels[index] {
                wrong.append((batch.ids[index], batch.labels[index], prediction))
            }
        }
        let report = EvaluationReport(
            metrics: metrics, dataset: data.description, split: split.rawValue, splitSizes: splits.sizes, seeds: [data.splitSeed],
            configuration: Description(checkpoint: checkpoint, model: model.summary, data: data.description), testTimeAugmentation: tta)
        if let out {
            let directory = RunDirectory(url: URL(fileURLWithPath: out))
            try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
            try report.write(to: directory.report)
            try writeCharts(history: [], metrics: metrics, in: directory)
            let samples = Dictionary(dataset.samples.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let sheet = directory.url.appendingPathComponent("misclassified.png")
            try writeContactSheet(
                wrong.prefix(misclassified).compactMap { entry in samples[entry.id].map { ($0, entry.label, entry.prediction) } },
                classNames: model.classNames, to: sheet)
        }
        print(json ? String(decoding: try prettyJSON(report), as: UTF8.self) : report.summary)
    }
}
