import FERFusion
import FERNN
import FERTensor
import Foundation
import Testing

@Suite struct EvaluationReportTests {
    static let classNames = ["surprise", "fear", "disgust", "happiness", "sadness", "anger", "neutral"]

    /// A linear classifier on flattened 1x4x4 images, which tells an image from its mirror image.
    static func classifier() -> Sequential {
        var generator = RandomGenerator(seed: 91)
        return Sequential(Flatten(), Linear(inputFeatures: 16, outputFeatures: 7, generator: &generator))
    }

    static func batches() -> [LabelledImages] {
        var generator = RandomGenerator(seed: 92)
        return [0..<5, 5..<12].map { range in
            LabelledImages(
                images: Tensor.randomNormal([range.count, 1, 4, 4], using: &generator), labels: range.map { $0 % 7 },
                ids: range.map { "image\($0)" })
        }
    }

    @Test func evaluationCountsTheArgmaxOfEachBatchAndFlipTTAAveragesTheMirrorImage() throws {
        let model = Self.classifier()
        model.train()
        var done: [Int] = []
        let metrics = try model.evaluate(BatchSequence(Self.batches()), classNames: Self.classNames) { done.append($0) }
        #expect(done == [5, 12] && model.isTraining, "progress per batch; the module's mode is restored")
        var expected = ClassificationMetrics(classNames: Self.classNames)
        var expectedTTA = expected
        for batch in Self.batches() {
            let logits = model(Variable(batch.images)).value
            let mirror = batch.images.indexSelected(axis: 3, indices: [3, 2, 1, 0])
            let averaged = logits.softmax(alongAxis: 1) + model(Variable(mirror)).value.softmax(alongAxis: 1)
            expected.add(predictions: logits.argmax(alongAxis: 1).scalars.map { Int($0) }, labels: batch.labels)
            expectedTTA.add(predictions: averaged.argmax(alongAxis: 1).scalars.map { Int($0) }, labels: batch.labels)
        }
        #expect(metrics == expected)
        #expect(try model.evaluate(BatchSequence(Self.batches()), classNames: Self.classNames, flipTTA: true) == expectedTTA)
        #expect(expected != expectedTTA, "the mirror image changes some predictions of this classifier")
    }

    struct RunConfiguration: Codable, Equatable {
        var strategy: String
        var epochs: Int
    }

    @Test func theReportRecordsItsProvenanceAndReadsBackFromJSON() throws {
        let metrics = ClassificationMetrics(
            classNames: Self.classNames, predictions: [0, 1, 1, 3, 3, 3, 6, 5], labels: [0, 1, 2, 3, 3, 4, 6, 5])
        let report = EvaluationReport(
            metrics: metrics, dataset: "synthetic", split: "test", splitSizes: ["train": 80, "validation": 12, "test": 8],
            seeds: [1, 2], configuration: RunConfiguration(strategy: "attention", epochs: 3), testTimeAugmentation: true,
            date: Date(timeIntervalSince1970: 0))
        #expect(report.accuracy == 6.0 / 8 && report.macroF1 == metrics.macroF1 && report.meanClassAccuracy == metrics.meanClassAccuracy)
        #expect(report.perClass[1] == .init(name: "fear", precision: 0.5, recall: 1, f1: 2.0 / 3, support: 1))
        #expect(report.date == "1970-01-01T00:00:00Z" && report.libraryVersion == FERKitVersion.string)

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try report.write(to: url)
        let json = try String(contentsOf: url, encoding: .utf8)
        for key in ["\"mean_class_accuracy\"", "\"macro_f1\"", "\"confusion\"", "\"split_sizes\"", "\"seeds\"", "\"ferkit_version\"", "\"strategy\" : \"attention\""] {
            #expect(json.contains(key), "\(key) in the report")
        }
        let read = try EvaluationReport<RunConfiguration>.read(contentsOf: url)
        #expect(read.confusion == metrics.confusion && read.configuration == report.configuration && read.perClass == report.perClass)

        let summary = report.summary
        #expect(summary.contains("accuracy 75.0%") && summary.contains("test split (8 images)") && summary.contains("flip TTA"))
        #expect(summary.split(separator: "\n", omittingEmptySubsequences: false).count == 4 + 7 + 2 + 1 + 7)
    }
}
