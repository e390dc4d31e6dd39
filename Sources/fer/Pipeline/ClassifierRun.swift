import FERBackbones
import FERData
import FERFusion
import FERNN
import FERTensor
import Foundation

/// What a classifier run is: recorded in `run.json` and in its reports.
struct ClassifierRunDescription: Codable, Equatable {
    var kind = "classifier"
    var model: ClassifierConfiguration
    var recipe: TrainingRecipe
    var seed: UInt64
    var pretrained: String?
    var data: String
}

/// Trains one network on a dataset's training split, selects the epoch on
/// its validation split, evaluates that epoch once on the test split, and
/// writes everything to a run directory. A run that was interrupted resumes
/// from its last epoch; a finished run is reused as it is.
struct ClassifierRun {
    var description: ClassifierRunDescription
    var directory: RunDirectory
    /// Whether the test report also averages each image with its mirror image.
    var testTimeAugmentation = false

    /// The test report, training first unless the run is already complete.
    func run(data: DataSplits) throws -> EvaluationReport<ClassifierRunDescription> {
        try directory.begin(description)
        if let finished = try? EvaluationReport<ClassifierRunDescription>.read(contentsOf: directory.report) {
            log("\(directory.url.path): complete, reusing its report")
            return finished
        }
        let configuration = description.model, recipe = description.recipe
        var generator = RandomGenerator(seed: description.seed)
        let model = configuration.makeModel(generator: &generator)
        if let pretrained = description.pretrained { try loadPretrained(pretrained, into: model) }
        let trainer = Trainer<LabelledImages>(
            model: model, optimizer: recipe.makeOptimizer(model.trainableParameters), schedule: recipe.makeSchedule(),
            configuration: recipe.trainingConfiguration(seed: description.seed), classNames: configuration.classNames
        ) { batch in (model(Variable(batch.images)), batch.labels) }
        let checkpoints = TrainingCheckpoints(directory: directory.url, metadata: try configuration.checkpointMetadata())
        try directory.attach(trainer, checkpoints: checkpoints)

        let augmentation = AugmentationPreset(rawValue: recipe.augmentation) ?? .none
        let training = ImageBatches.training(
            data.train, preprocessing: configuration.preprocessing, augmentation: augmentation, batchSize: recipe.batchSize,
            seed: description.seed)
        let validation = ImageBatches.evaluation(data.validation, preprocessing: configuration.preprocessing)
        log("training \(configuration.architecture) (\(model.parameterCount.formatted()) parameters) on \(data.train.count) images, "
            + "validating on \(data.validation.count); run directory \(directory.url.path)")
        try trainer.fit(training: { training.epoch($0) }, validation: { validation.epoch() })

        try Checkpoint.load(into: model, from: checkpoints.bestURL, architecture: configuration.architecture)
        let test = ImageBatches.evaluation(data.test, preprocessing: configuration.preprocessing)
        let metrics = try model.evaluate(test.epoch(), classNames: configuration.classNames, flipTTA: testTimeAugmentation)
        let report = EvaluationReport(
            metrics: metrics, dataset: description.data, split: "test", splitSizes: data.sizes, seeds: [description.seed],
            configuration: description, testTimeAugmentation: testTimeAugmentation)
        try writeCharts(history: trainer.history, metrics: metrics, in: directory)
        try report.write(to: directory.report)
        log("\(configuration.architecture): best epoch \(trainer.best?.epoch ?? 0) of \(trainer.history.count), "
            + "test accuracy \(percentText(report.accuracy)), macro-F1 \(String(format: "%.4f", report.macroF1))")
        return report
    }

    /// Loads pretrained weights: strictly but for the classifier into
    /// torchvision's models, every matching key into the others.
    private func loadPretrained(_ path: String, into model: any Backbone) throws {
        let state = try SafetensorsArchive.read(contentsOf: URL(fileURLWithPath: path)).tensors
        if description.model.resolvedArchitecture?.isTorchvisionModel == true {
            try model.loadPretrained(state, source: path)
        } else {
            let report = try model.loadMatchingWeights(state, source: path)
            log("\(path): loaded \(report.loaded.count) tensors, skipped \(report.skipped.count), \(report.missing.count) keep their initialisation")
        }
    }
}

/// Writes a line to standard error (progress and notes; standard output carries results).
func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A fraction as a percentage with two decimals.
func percentText(_ fraction: Double) -> String { String(format: "%.2f%%", 100 * fraction) }
