import FERNN
import FERTensor
import Foundation

/// The checkpoints of a training run in one directory, written so that a
/// crash or a kill at any moment leaves a checkpoint that loads:
///
/// - `checkpoint-eE[-bB].safetensors` and its `.training-state.safetensors`:
///   the model, optimizer and schedule after epoch E (or after batch B of
///   epoch E, when the run was interrupted), with the run's history and the
///   partial epoch, to resume;
/// - `latest.json`: which of those files is the latest complete checkpoint.
///   It is replaced atomically only after both files are complete, and the
///   previous checkpoint's files are deleted only after that, so it always
///   names a checkpoint that exists and whose two files belong together;
/// - `best.safetensors`: the model at the best epoch on the validation split,
///   loadable like any checkpoint with the same metadata.
public struct TrainingCheckpoints {
    /// The run's directory.
    public var directory: URL
    /// Architecture, class names and model configuration written into the model files.
    public var metadata: CheckpointMetadata

    /// Checkpoints in `directory` (created when missing) with `metadata`.
    public init(directory: URL, metadata: CheckpointMetadata) {
        self.directory = directory
        self.metadata = metadata
    }

    /// The record of the latest complete checkpoint.
    public var latestRecordURL: URL { directory.appendingPathComponent("latest.json") }
    /// The best epoch's checkpoint.
    public var bestURL: URL { directory.appendingPathComponent("best.safetensors") }

    /// What `latest.json` holds.
    public struct LatestRecord: Codable, Equatable, Sendable {
        /// File name of the model file (its training state sits beside it).
        public var file: String
        /// Completed epochs.
        public var epochsDone: Int
        /// Batches done of the epoch after them (0 at an epoch boundary).
        public var batchesDone: Int

        /// A record of the checkpoint in `file`.
        public init(file: String, epochsDone: Int, batchesDone: Int) {
            self.file = file
            self.epochsDone = epochsDone
            self.batchesDone = batchesDone
        }

        enum CodingKeys: String, CodingKey {
            case file, epochsDone = "epochs_done", batchesDone = "batches_done"
        }
    }

    /// The latest complete checkpoint, or `nil` when none was written.
    public func latest() -> LatestRecord? {
        guard let data = try? Data(contentsOf: latestRecordURL) else { return nil }
        return try? JSONDecoder().decode(LatestRecord.self, from: data)
    }

    /// The model file of the latest complete checkpoint.
    public var latestURL: URL? { latest().map { directory.appendingPathComponent($0.file) } }

    /// Whether a checkpoint has been saved, so that `resume` can continue the run.
    public var canResume: Bool { latest() != nil }

    /// An epoch that stopped part-way: how far it got and what it had measured.
    struct PartialEpoch: Codable, Equatable {
        var epoch: Int
        var batchesDone: Int
        var lossTotal: Double
        var confusion: [[Int]]
        var skippedBatches: Int
    }

    /// What the training-configuration metadata of these checkpoints holds.
    struct RunState: Codable {
        var configuration: TrainingConfiguration
        var history: [EpochRecord]
        var partial: PartialEpoch?
    }

    /// Writes a checkpoint of the trainer's state (after a whole epoch, or
    /// after `partial`'s batches), records it as the latest, removes the
    /// previous one, and writes `best` when `isBest`.
    func save<Batch>(trainer: Trainer<Batch>, partial: PartialEpoch? = nil, isBest: Bool) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var metadata = self.metadata
        let state = RunState(configuration: trainer.configuration, history: trainer.history, partial: partial)
        metadata.trainingConfiguration = String(decoding: try EpochRecord.encoder().encode(state), as: UTF8.self)
        if isBest { try Checkpoint.save(trainer.model, metadata: metadata, to: bestURL) }
        let previous = latest()
        let epochsDone = trainer.history.count
        let name = "checkpoint-e\(epochsDone)" + (partial.map { "-b\($0.batchesDone)" } ?? "") + ".safetensors"
        let url = directory.appendingPathComponent(name)
        try Checkpoint.save(trainer.model, metadata: metadata, to: url, optimizer: trainer.optimizer, schedule: trainer.schedule)
        let record = LatestRecord(file: name, epochsDone: epochsDone, batchesDone: partial?.batchesDone ?? 0)
        try writeAtomically(try JSONEncoder().encode(record), to: latestRecordURL)
        if let previous, previous.file != name { removeCheckpointFiles(named: previous.file) }
    }

    /// Loads the model, optimizer, schedule, history and partial epoch of the
    /// latest checkpoint into `trainer`, so that its next `fit` continues
    /// exactly where the saved run stopped. Returns the epochs already done.
    ///
    /// - Throws: `TrainingError.noCheckpoint`, `CheckpointError`, `StateDictError`, `SafetensorsError` or `TrainingStateError` naming
    ///   the file; nothing in the trainer's history changes unless everything loads.
    @discardableResult
    public func resume<Batch>(_ trainer: Trainer<Batch>) throws -> Int {
        guard let record = latest() else { throw TrainingError.noCheckpoint(directory: directory.path) }
        let url = directory.appendingPathComponent(record.file)
        let saved = try Checkpoint.readMetadata(at: url)
        let state: RunState
        do {
            state = try EpochRecord.decoder().decode(RunState.self, from: Data(saved.trainingConfiguration.utf8))
        } catch {
            throw CheckpointError.invalidMetadata(
                file: url.path, key: "training_config", value: String(saved.trainingConfiguration.prefix(200)),
                reason: "not a training run's state (\(error))")
        }
        try Checkpoint.load(
            into: trainer.model, from: url, architecture: metadata.architecture, optimizer: trainer.optimizer,
            schedule: trainer.schedule)
        trainer.restore(history: state.history, partial: state.partial)
        removeStaleFiles(keeping: record.file)
        return state.history.count
    }

    /// Deletes a checkpoint's model and training-state files.
    private func removeCheckpointFiles(named name: String) {
        let url = directory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.removeItem(at: Checkpoint.trainingStateURL(forModelAt: url))
    }

    /// Deletes checkpoint files a kill left behind: older generations and
    /// half-written temporary files.
    private func removeStaleFiles(keeping current: String) {
        let keep: Set<String> = [current, Checkpoint.trainingStateURL(forModelAt: directory.appendingPathComponent(current)).lastPathComponent]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where (name.hasPrefix("checkpoint-e") && !keep.contains(name)) || (name.hasPrefix(".") && name.contains(".tmp-")) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}
