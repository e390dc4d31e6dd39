import FERBackbones
import FERData
import FERFusion
import FERNN
import FERTensor
import Foundation

/// What a fusion run is: recorded in `run.json` and in its reports.
struct FusionRunDescription: Codable, Equatable {
    var kind = "fusion"
    var strategy: FusionStrategyKind
    var attention: AttentionFusionConfiguration
    /// The two backbones' checkpoints.
    var first: String, second: String
    /// How the head (early, attention) or the whole model (joint) is trained; unused by late fusion.
    var recipe: TrainingRecipe
    var seed: UInt64
    var data: String
}

/// Fuses two trained backbones with one strategy, selects on the validation
/// split, evaluates once on the test split, and writes the fusion model and
/// its report to a run directory. Late, early and attention fusion work on
/// cached features (`FeatureFiles`); joint fusion trains end to end on images.
struct FusionRun {
    var description: FusionRunDescription
    var directory: RunDirectory
    var testTimeAugmentation = false

    func run(data: DataSplits) throws -> EvaluationReport<FusionRunDescription> {
        try directory.begin(description)
        if let finished = try? EvaluationReport<FusionRunDescription>.read(contentsOf: directory.report) {
            log("\(directory.url.path): complete, reusing its report")
            return finished
        }
        let first = try Self.classifier(at: description.first), second = try Self.classifier(at: description.second)
        let model = try makeModel(first: first, second: second, classNames: data.classNames)
        log("\(description.strategy.rawValue) fusion of \(first.1.architecture) and \(second.1.architecture); run directory \(directory.url.path)")
        let (metrics, history): (ClassificationMetrics, [EpochRecord])
        if description.strategy == .joint {
            (metrics, history) = try trainJointly(model, data: data)
        } else {
            let features = { (split: FERDataset, name: String) in
                try FeatureCache(
                    first: FeatureFiles(checkpoint: URL(fileURLWithPath: description.first))
                        .features(of: first.0, configuration: first.1, split: split, splitName: name),
                    second: FeatureFiles(checkpoint: URL(fileURLWithPath: description.second))
                        .features(of: second.0, configuration: second.1, split: split, splitName: name))
            }
            let validation = try features(data.validation, "validation"), test = try features(data.test, "test")
            if let late = model.head as? LateFusionHead {
                let rows = validation.unflippedRows
                late.weight = LateFusionHead.chooseWeight(
                    firstLogits: validation.first.logits.indexSelected(axis: 0, indices: rows),
                    secondLogits: validation.second.logits.indexSelected(axis: 0, indices: rows),
                    labels: rows.map { validation.labels[$0] })
                log("late fusion: weight \(late.weight) on \(first.1.architecture), chosen on the validation split")
                history = []
            } else {
                history = try trainHead(model.head, train: try features(data.train, "train"), validation: validation)
            }
            metrics = test.metrics(of: model.head, testTimeAugmentation: testTimeAugmentation)
        }
        try model.save(to: directory.model, trainingConfiguration: try compactJSON(description))
        let report = EvaluationReport(
            metrics: metrics, dataset: description.data, split: "test", splitSizes: data.sizes, seeds: [description.seed],
            configuration: description, testTimeAugmentation: testTimeAugmentation)
        try writeCharts(history: history, metrics: metrics, in: directory)
        try report.write(to: directory.report)
        log("\(description.strategy.rawValue) fusion: test accuracy \(percentText(report.accuracy)), macro-F1 \(String(format: "%.4f", report.macroF1))")
        return report
    }

    /// The trained single network saved at `path`.
    static func classifier(at path: String) throws -> (any Backbone, ClassifierConfiguration) {
        guard case let .classifier(model, configuration) = try TrainedModel.load(contentsOf: URL(fileURLWithPath: path)) else {
            throw RunError.wrongModel(file: path, expected: "a single network's checkpoint (from fer train), not a fusion model")
        }
        return (model, configuration)
    }

    /// The fusion model with both trained backbones loaded and a fresh head.
    private func makeModel(
        first: (any Backbone, ClassifierConfiguration), second: (any Backbone, ClassifierConfiguration), classNames: [String]
    ) throws -> FusionModel {
        let (a, b) = (first.1, second.1)
        guard a.preprocessing == b.preprocessing else {
            throw RunError.incompatibleBackbones(reason: "\(a.architecture) reads \(a.preprocessing), \(b.architecture) reads \(b.preprocessing)")
        }
        guard a.classNames == classNames, b.classNames == classNames else {
            throw RunError.incompatibleBackbones(reason: "their classes \(a.classNames) and \(b.classNames) differ from the data's \(classNames)")
        }
        let vggHeads = Set([a, b].filter { $0.architecture.hasPrefix("vgg") }.map(\.vggHead))
        guard vggHeads.count <= 1 else { throw RunError.incompatibleBackbones(reason: "their VGG heads differ") }
        guard let firstArchitecture = a.resolvedArchitecture, let secondArchitecture = b.resolvedArchitecture,
              firstArchitecture != .msff_resnet50 || a.multiScale == .init(),
              secondArchitecture != .msff_resnet50 || b.multiScale == .init()
        else {
            throw RunError.incompatibleBackbones(reason: "fusion pairs registered architectures in their standard form")
        }
        let configuration = FusionModelConfiguration(
            firstBackbone: firstArchitecture, secondBackbone: secondArchitecture, strategy: description.strategy,
            classNames: classNames, preprocessing: a.preprocessing, vggHead: vggHeads.first ?? .torchvision,
            attention: description.attention)
        var generator = RandomGenerator(seed: description.seed)
        let model = FusionModel(configuration: configuration, generator: &generator)
        try model.first.load(stateDict: first.0.stateDict(), source: description.first)
        try model.second.load(stateDict: second.0.stateDict(), source: description.second)
        return model
    }

    /// Trains the head on cached features (each image and its mirror image) and keeps its best epoch.
    private func trainHead(_ head: any FusionHead, train: FeatureCache, validation: FeatureCache) throws -> [EpochRecord] {
        let recipe = description.recipe
        let trainer = Trainer<FeatureBatch>(
            model: head, optimizer: recipe.makeOptimizer(head.trainableParameters), schedule: recipe.makeSchedule(),
            configuration: recipe.trainingConfiguration(seed: description.seed), classNames: train.classNames
        ) { batch in (head(batch.input), batch.labels) }
        let checkpoints = TrainingCheckpoints(
            directory: directory.url.appendingPathComponent("head"),
            metadata: CheckpointMetadata(architecture: "\(description.strategy.rawValue)_fusion_head", classNames: train.classNames))
        try directory.attach(trainer, checkpoints: checkpoints)
        let validationRows = validation.subset(rows: validation.unflippedRows)
        try trainer.fit(
            training: { train.batches(size: recipe.batchSize, shuffledWithSeed: description.seed, epoch: $0) },
            validation: { validationRows.batches(size: 256) })
        try Checkpoint.load(into: head, from: checkpoints.bestURL, architecture: checkpoints.metadata.architecture)
        return trainer.history
    }

    /// Trains the whole model end to end on images and keeps its best epoch.
    private func trainJointly(_ model: FusionModel, data: DataSplits) throws -> (ClassificationMetrics, [EpochRecord]) {
        let recipe = description.recipe, preprocessing = model.configuration!.preprocessing
        let trainer = Trainer<LabelledImages>(
            model: model, optimizer: recipe.makeOptimizer(model.trainableParameters), schedule: recipe.makeSchedule(),
            configuration: recipe.trainingConfiguration(seed: description.seed), classNames: model.classNames
        ) { batch in (model(Variable(batch.images)), batch.labels) }
        let checkpoints = TrainingCheckpoints(directory: directory.url, metadata: try model.checkpointMetadata())
        try directory.attach(trainer, checkpoints: checkpoints)
        let training = ImageBatches.training(
            data.train, preprocessing: preprocessing, augmentation: AugmentationPreset(rawValue: recipe.augmentation) ?? .none,
            batchSize: recipe.batchSize, seed: description.seed)
        let validation = ImageBatches.evaluation(data.validation, preprocessing: preprocessing)
        try trainer.fit(training: { training.epoch($0) }, validation: { validation.epoch() })
        try Checkpoint.load(into: model, from: checkpoints.bestURL, architecture: FusionModel.checkpointArchitecture)
        let test = ImageBatches.evaluation(data.test, preprocessing: preprocessing)
        return (try model.evaluate(test.epoch(), classNames: model.classNames, flipTTA: testTimeAugmentation), trainer.history)
    }
}

extension FeatureCache {
    /// Rows of the images themselves (not their mirror images).
    var unflippedRows: [Int] { flipped.indices.filter { !flipped[$0] } }

    /// The head's predictions on every image, from its own row or, with
    /// `testTimeAugmentation`, from the mean probabilities of its row and its mirror image's.
    func metrics(of head: any FusionHead, testTimeAugmentation: Bool) -> ClassificationMetrics {
        head.eval()
        let unflipped = unflippedRows
        func probabilities(_ rows: [Int]) -> Tensor {
            noGrad { head(input(rows: rows)).softmax(alongAxis: 1) }.value
        }
        var combined = probabilities(unflipped)
        if testTimeAugmentation {
            var mirrorRow: [String: Int] = [:]
            for row in flipped.indices where flipped[row] { mirrorRow[ids[row]] = row }
            combined = (combined + probabilities(unflipped.map { mirrorRow[ids[$0]] ?? $0 })) * 0.5
        }
        return ClassificationMetrics(
            classNames: classNames, predictions: combined.argmax(alongAxis: 1).scalars.map { Int($0) },
            labels: unflipped.map { labels[$0] })
    }
}
