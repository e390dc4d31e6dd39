import FERNN
import FERTensor
import Foundation

/// The checkpoints of a training run in one directory:
///
/// - `last.safetensors` (and `last.training-state.safetensors`): the model,
///   optimizer and schedule after the latest epoch, with the run's history,
///   to resume an interrupted run;
/// - `best.safetensors`: the model at the best epoch on the validation split,
///   loadable like any checkpoint with the same metadata.
public struct TrainingCheckpoints {
    /// The run's directory.
    public var directory: URL
    /// Architecture, class names and model configuration written into both files.
    public var metadata: CheckpointMetadata

    /// Checkpoints in `directory` (created when missing) with `metadata`.
    public init(directory: URL, metadata: CheckpointMetadata) {
        self.directory = directory
        self.metadata = metadata
    }

    /// The latest epoch's checkpoint.
    public var lastURL: URL { directory.appendingPathComponent("last.safetensors") }
    /// The best epoch's checkpoint.
    public var bestURL: URL { directory.appendingPathComponent("best.safetensors") }

    /// Whether a latest epoch has been saved, so that `resume` can continue the run.
    public var canResume: Bool { FileManager.default.fileExists(atPath: lastURL.path) }

    /// What the training-configuration metadata of these checkpoints holds.
    struct RunState: Codable {
        var configuration: TrainingConfiguration
        var history: [EpochRecord]
    }

    /// Writes `last` (and `best` when `isBest`) for the trainer's state.
    func save<Batch>(trainer: Trainer<Batch>, isBest: Bool) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var metadata = self.metadata
        let state = RunState(configuration: trainer.configuration, history: trainer.history)
        metadata.trainingConfiguration = String(decoding: try EpochRecord.encoder().encode(state), as: UTF8.self)
        try Checkpoint.save(trainer.model, metadata: metadata, to: lastURL, optimizer: trainer.optimizer, schedule: trainer.schedule)
        if isBest { try Checkpoint.save(trainer.model, metadata: metadata, to: bestURL) }
    }

    /// Loads the model, optimizer, schedule and history of `last` into
    /// `trainer`, so that its next `fit` continues with the following epoch.
    /// Returns the number of epochs already done.
    ///
    /// - Throws: `CheckpointError`, `StateDictError`, `SafetensorsError` or
    ///   `TrainingStateError` naming the file; nothing in the trainer's
    ///   history changes unless everything loads.
    @discardableResult
    public func resume<Batch>(_ trainer: Trainer<Batch>) throws -> Int {
        let saved = try Checkpoint.readMetadata(at: lastURL)
        let state: RunState
        do {
            state = try EpochRecord.decoder().decode(RunState.self, from: Data(saved.trainingConfiguration.utf8))
        } catch {
            throw CheckpointError.invalidMetadata(
                file: lastURL.path, key: "training_config", value: String(saved.trainingConfiguration.prefix(200)),
                reason: "not a training run's state (\(error))")
        }
        try Checkpoint.load(
            into: trainer.model, from: lastURL, architecture: metadata.architecture, optimizer: trainer.optimizer,
            schedule: trainer.schedule)
        trainer.restore(history: state.history)
        return state.history.count
    }
}
