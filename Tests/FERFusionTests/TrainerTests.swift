import FERFusion
import FERNN
import FERTensor
import Foundation
import Testing

/// Training a fusion head from cached features through `Trainer`:
/// model selection, early stopping, resuming, faults, progress and logs.
@Suite struct TrainerTests {
    static let classNames = (0..<7).map { "class\($0)" }
    static let (train, validation) = { () -> (FeatureCache, FeatureCache) in
        let (train, validation) = SyntheticFeatures(count: 640, widths: (32, 32), noise: 1.5, seed: 81).split(at: 480)
        return (cache(train), cache(validation))
    }()

    static func cache(_ features: SyntheticFeatures) -> FeatureCache {
        let rows = features.labels.count
        func backbone(_ name: String, _ values: Tensor) -> BackboneFeatures {
            BackboneFeatures(
                architecture: name, features: values, logits: Tensor.zeros([rows, 7]), labels: features.labels,
                ids: (0..<rows).map { "row\($0)" }, classNames: classNames)
        }
        return try! FeatureCache(first: backbone("a", features.first), second: backbone("b", features.second))
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("fer-trainer-\(UUID().uuidString)")
    }

    /// An attention head (with dropout) and its trainer: Adam, a step schedule, `epochs` epochs.
    static func trainer(
        epochs: Int, learningRate: Float = 3e-3, patience: Int? = nil, headSeed: UInt64 = 82
    ) -> (AttentionFusionHead, Trainer<FeatureBatch>) {
        var generator = RandomGenerator(seed: headSeed)
        let head = AttentionFusionHead(
            featureWidths: (32, 32), classCount: 7, configuration: .init(tokens: 4, dropout: 0.3), generator: &generator)
        let trainer = Trainer<FeatureBatch>(
            model: head, optimizer: Adam(head.trainableParameters, learningRate: learningRate),
            schedule: StepLR(baseLearningRate: learningRate, stepSize: 2, gamma: 0.5),
            configuration: TrainingConfiguration(epochs: epochs, earlyStoppingPatience: patience, seed: 83),
            classNames: classNames
        ) { batch in (head(batch.input), batch.labels) }
        return (head, trainer)
    }

    static func trainingBatches(_ epoch: Int) -> BatchSequence<FeatureBatch> {
        train.batches(size: 32, shuffledWithSeed: 84, epoch: epoch)
    }

    static func validationBatches() -> BatchSequence<FeatureBatch> { validation.batches(size: 100) }

    /// Records what the trainer tells its callbacks.
    final class Recorder: TrainingCallback {
        var started: [Int] = [], epochs: [Int] = [], batches = 0, stoppedEarly: Bool?
        func trainingStarted(history: [EpochRecord], epochs: Int) throws { started.append(history.count) }
        func batchEnded(_ progress: BatchProgress) { batches += 1 }
        func epochEnded(_ record: EpochRecord, isBest: Bool) throws { epochs.append(record.epoch) }
        func trainingEnded(history: [EpochRecord], stoppedEarly: Bool) { self.stoppedEarly = stoppedEarly }
    }

    @Test func theBestCheckpointHoldsTheEpochWithTheBestValidationAccuracy() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (head, trainer) = Self.trainer(epochs: 6)
        let log = MetricsLog(url: directory.appendingPathComponent("metrics.jsonl"))
        let recorder = Recorder()
        trainer.callbacks = [log, recorder]
        trainer.checkpoints = TrainingCheckpoints(
            directory: directory, metadata: CheckpointMetadata(architecture: "attention_head", classNames: Self.classNames))
        let history = try trainer.fit(training: Self.trainingBatches, validation: Self.validationBatches)

        #expect(history.map(\.epoch) == Array(1...6) && recorder.epochs == Array(1...6))
        #expect(recorder.started == [0] && recorder.batches == 6 * 15 && recorder.stoppedEarly == false)
        #expect(history.map(\.learningRate) == [3e-3, 3e-3, 1.5e-3, 1.5e-3, 7.5e-4, 7.5e-4])
        let best = try #require(trainer.best)
        #expect(best.validationAccuracy == history.map(\.validationAccuracy).max())
        #expect(best.epoch == history.first { $0.validationAccuracy == best.validationAccuracy }!.epoch)
        #expect(best.validationAccuracy > 0.6, "chance is 1/7")

        // The best checkpoint reproduces the best epoch's validation figures in a fresh head.
        let (fresh, freshTrainer) = Self.trainer(epochs: 1, headSeed: 99)
        try Checkpoint.load(into: fresh, from: trainer.checkpoints!.bestURL, architecture: "attention_head")
        let (loss, metrics) = try freshTrainer.evaluate(Self.validationBatches())
        #expect(metrics.accuracy == best.validationAccuracy && abs(loss - best.validationLoss) < 1e-9)
        #expect(head.isTraining == false, "the trainer leaves the model in evaluation mode after validating")

        #expect(try MetricsLog.read(contentsOf: log.url) == history)
    }

    @Test func earlyStoppingEndsARunWhoseValidationMetricStopsImproving() throws {
        let (_, trainer) = Self.trainer(epochs: 10, learningRate: 0, patience: 2)
        let recorder = Recorder()
        trainer.callbacks = [recorder]
        let history = try trainer.fit(training: Self.trainingBatches, validation: Self.validationBatches)
        // Nothing changes with a zero learning rate: epoch 1 stays best, and two epochs later the run stops.
        #expect(history.count == 3 && trainer.best?.epoch == 1)
        #expect(recorder.stoppedEarly == true && trainer.isFinished)
    }

    @Test func aResumedRunEndsWithExactlyTheWeightsAndHistoryOfAnUninterruptedOne() throws {
        let (uninterrupted, straight) = Self.trainer(epochs: 4)
        let straightHistory = try straight.fit(training: Self.trainingBatches, validation: Self.validationBatches)

        struct Interrupted: Error {}
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoints = TrainingCheckpoints(
            directory: directory, metadata: CheckpointMetadata(architecture: "attention_head", classNames: Self.classNames))
        let log = MetricsLog(url: directory.appendingPathComponent("metrics.jsonl"))
        let (_, first) = Self.trainer(epochs: 4)
        first.checkpoints = checkpoints
        first.callbacks = [log]
        #expect(throws: Interrupted.self) {
            try first.fit(training: { epoch in
                if epoch == 3 { throw Interrupted() }
                return Self.trainingBatches(epoch)
            }, validation: Self.validationBatches)
        }
        #expect(checkpoints.canResume && first.history.count == 2)

        // Another process: a head initialised differently, then resumed.
        let (resumedHead, resumed) = Self.trainer(epochs: 4, headSeed: 1234)
        resumed.checkpoints = checkpoints
        resumed.callbacks = [log]
        #expect(try checkpoints.resume(resumed) == 2)
        let history = try resumed.fit(training: Self.trainingBatches, validation: Self.validationBatches)

        let expected = uninterrupted.stateDict(), found = resumedHead.stateDict()
        #expect(expected.keys.sorted() == found.keys.sorted())
        for (key, value) in expected { #expect(found[key]!.scalars == value.scalars, "\(key) differs") }
        let figures = { (records: [EpochRecord]) in
            records.map { [$0.trainLoss, $0.trainAccuracy, $0.validationLoss, $0.validationAccuracy, Double($0.learningRate)] }
        }
        #expect(figures(history) == figures(straightHistory))
        #expect(try MetricsLog.read(contentsOf: log.url).map(\.epoch) == [1, 2, 3, 4])
    }

    @Test func aRunInterruptedMidEpochResumesToExactlyTheWeightsOfAnUninterruptedOne() throws {
        let (uninterrupted, straight) = Self.trainer(epochs: 3)
        let straightHistory = try straight.fit(training: Self.trainingBatches, validation: Self.validationBatches)

        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoints = TrainingCheckpoints(
            directory: directory, metadata: CheckpointMetadata(architecture: "attention_head", classNames: Self.classNames))
        let (_, first) = Self.trainer(epochs: 3)
        first.checkpoints = checkpoints
        var batches = 0
        first.shouldStop = {
            batches += 1
            return batches == 15 + 7  // batch 7 of epoch 2
        }
        #expect(throws: TrainingError.interrupted(epoch: 2, batch: 7, saved: true)) {
            try first.fit(training: Self.trainingBatches, validation: Self.validationBatches)
        }
        #expect(checkpoints.latest() == .init(file: "checkpoint-e1-b7.safetensors", epochsDone: 1, batchesDone: 7))

        let (resumedHead, resumed) = Self.trainer(epochs: 3, headSeed: 4321)
        resumed.checkpoints = checkpoints
        #expect(try checkpoints.resume(resumed) == 1)
        let history = try resumed.fit(training: Self.trainingBatches, validation: Self.validationBatches)
        let expected = uninterrupted.stateDict(), found = resumedHead.stateDict()
        for (key, value) in expected { #expect(found[key]!.scalars == value.scalars, "\(key) differs") }
        let figures = { (records: [EpochRecord]) in
            records.map { [$0.trainLoss, $0.trainAccuracy, $0.validationLoss, $0.validationAccuracy, Double($0.learningRate)] }
        }
        #expect(figures(history) == figures(straightHistory))

        // One checkpoint generation remains, and latest.json names it.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("checkpoint-") }.sorted()
        #expect(files == ["checkpoint-e3.safetensors", "checkpoint-e3.training-state.safetensors"])
        #expect(checkpoints.latest()?.file == "checkpoint-e3.safetensors")
    }

    @Test func resumingWithoutACheckpointIsAnErrorNamingTheDirectory() {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoints = TrainingCheckpoints(directory: directory, metadata: CheckpointMetadata(architecture: "x", classNames: Self.classNames))
        let (_, trainer) = Self.trainer(epochs: 1)
        #expect(!checkpoints.canResume)
        #expect(throws: TrainingError.noCheckpoint(directory: directory.path)) { try checkpoints.resume(trainer) }
    }

    @Test func theSkipPolicyLeavesTheParametersOfANonFiniteBatchAndCountsIt() throws {
        var generator = RandomGenerator(seed: 82)
        let head = AttentionFusionHead(featureWidths: (32, 32), classCount: 7, configuration: .init(tokens: 4), generator: &generator)
        let trainer = Trainer<FeatureBatch>(
            model: head, optimizer: Adam(head.trainableParameters, learningRate: 3e-3),
            configuration: TrainingConfiguration(epochs: 1, nonFinitePolicy: .skipBatch), classNames: Self.classNames
        ) { batch in (head(batch.input), batch.labels) }
        var poisoned = Self.train
        poisoned.first.features = poisoned.first.features.sliced(axis: 0, range: 0..<1) * Float.nan + Tensor.zeros([poisoned.count, 32])
        let before = head.stateDict()
        let history = try trainer.fit(training: { _ in poisoned.batches(size: 32) }, validation: Self.validationBatches)
        #expect(history[0].skippedBatches == 15)
        for (key, value) in before { #expect(head.stateDict()[key]!.scalars == value.scalars, "\(key) changed") }
    }

    @Test func aNonFiniteLossStopsTheRunNamingEpochAndBatchAndKeepsTheLastCheckpoint() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoints = TrainingCheckpoints(
            directory: directory, metadata: CheckpointMetadata(architecture: "attention_head", classNames: Self.classNames))
        let (_, trainer) = Self.trainer(epochs: 3)
        trainer.checkpoints = checkpoints
        var poisoned = Self.train
        poisoned.first.features = poisoned.first.features.sliced(axis: 0, range: 0..<1) * Float.nan
            + Tensor.zeros([poisoned.count, 32])  // every row NaN
        let error = #expect(throws: TrainingError.self) {
            try trainer.fit(
                training: { epoch in epoch == 2 ? poisoned.batches(size: 32) : Self.trainingBatches(epoch) },
                validation: Self.validationBatches)
        }
        guard case let .nonFinite(quantity, value, epoch, batch) = try #require(error) else { return }
        #expect(quantity == "loss" && value.isNaN && epoch == 2 && batch == 1)
        #expect(error?.description.contains("epoch 2, batch 1") == true)
        let (_, resumed) = Self.trainer(epochs: 3)
        #expect(try checkpoints.resume(resumed) == 1, "the checkpoint of epoch 1 survives")
    }

    @Test func theProgressBarDrawsInPlaceOnATerminalAndPrintsPlainLinesInALog() throws {
        for style in [ProgressBar.Style.terminal, .plainLines] {
            var output = ""
            let (_, trainer) = Self.trainer(epochs: 2)
            trainer.callbacks = [ProgressBar(style: style, lineInterval: 0) { output += $0 }]
            try trainer.fit(training: Self.trainingBatches, validation: Self.validationBatches)
            let lines = output.split(separator: "\n")
            #expect(output.contains("epoch 1/2") && output.contains("epoch 2/2") && output.contains("ETA"))
            #expect(output.contains("samples/s") && output.contains("val loss") && output.contains("best"))
            if style == .terminal {
                #expect(output.contains("\r\u{1B}[K") && output.contains("[####################] 15/15"))
                #expect(lines.count == 2, "one summary line per epoch; batch progress is redrawn in place")
            } else {
                #expect(!output.contains("\r"))
                #expect(lines.filter { $0.contains(" batch ") }.count >= 2 && lines.filter { $0.contains("val loss") }.count == 2)
            }
        }
    }
}
