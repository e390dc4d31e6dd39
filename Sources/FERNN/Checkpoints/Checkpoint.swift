import Foundation
import FERTensor

/// Saves and loads a module's weights with `CheckpointMetadata`, and
/// optionally the optimizer and schedule state needed to resume a run.
///
/// Files (all safetensors, each written crash-safe):
///
/// - the model file (`run/epoch10.safetensors`) holds exactly the module's
///   state-dict keys, so PyTorch reads it with `safetensors.torch.load_file`
///   and `model.load_state_dict(..., strict=True)`; its metadata holds the
///   architecture, class names, training configuration and FERKit version;
/// - with an optimizer or a schedule, a sibling training-state file
///   (`run/epoch10.training-state.safetensors`, see `trainingStateURL(forModelAt:)`)
///   holds the optimizer's `stateDict()` (`state.<index>.*`, `hyperparameters.*`)
///   and the schedule's state as metadata entries `schedule.<name>` in
///   decimal text that reads back to the same Double.
///
/// The optimizer state lives in a separate file rather than under a prefix
/// so that the model file stays a plain state dict that any tool can load,
/// and so that inference never reads optimizer buffers (Adam's are twice the
/// model's size). The training state is written first and both files carry
/// the same random `training_state_id`, so a model file paired with a
/// training state from another save (a crash between the two writes, a
/// copied file) is detected on loading.
public enum Checkpoint {
    /// The FERKit version recorded in checkpoints this library writes.
    public static let libraryVersion = FERKitVersion.string

    /// Prefix of the schedule's state entries in the training-state metadata.
    static let schedulePrefix = "schedule."

    /// The training-state file next to the model file at `url`:
    /// `name.safetensors` → `name.training-state.safetensors`.
    public static func trainingStateURL(forModelAt url: URL) -> URL {
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(stem + ".training-state.safetensors")
    }

    /// Writes the module's state dict with `metadata` to `url`, and the state
    /// of `optimizer` and `schedule` (when given) to the training-state file next to it.
    ///
    /// - Throws: `SafetensorsError` when a file cannot be written.
    public static func save(
        _ module: Module, metadata: CheckpointMetadata, to url: URL,
        optimizer: (any Optimizer)? = nil, schedule: (any LearningRateSchedule)? = nil
    ) throws {
        var modelMetadata = try metadata.archiveMetadata()
        if optimizer != nil || schedule != nil {
            let identifier = UUID().uuidString
            var trainingMetadata = [CheckpointMetadata.Key.trainingStateIdentifier: identifier]
            for (name, value) in schedule?.state ?? [:] { trainingMetadata[schedulePrefix + name] = "\(value)" }
            let trainingState = SafetensorsArchive(tensors: optimizer?.stateDict() ?? [:], metadata: trainingMetadata)
            try trainingState.write(to: trainingStateURL(forModelAt: url))
            modelMetadata[CheckpointMetadata.Key.trainingStateIdentifier] = identifier
        }
        try SafetensorsArchive(tensors: module.stateDict(), metadata: modelMetadata).write(to: url)
    }

    /// Reads the metadata of the checkpoint at `url` (to build the right model before loading it).
    ///
    /// - Throws: `SafetensorsError`, `CheckpointError.missingMetadata` or `.invalidMetadata`.
    public static func readMetadata(at url: URL) throws -> CheckpointMetadata {
        try CheckpointMetadata(archiveMetadata: SafetensorsArchive.read(contentsOf: url).metadata, file: url.path)
    }

    /// Loads the checkpoint at `url` into `module` after checking that it was
    /// saved for `architecture`; with `optimizer` or `schedule`, also restores
    /// their state from the training-state file saved with it. Returns the metadata.
    ///
    /// Every file and its metadata are read and checked before anything
    /// changes; the module, optimizer and schedule are then loaded in that
    /// order, each only if its state fits (so if the optimizer state does not
    /// fit, the module already holds the new weights).
    ///
    /// - Throws: `CheckpointError.architectureMismatch` naming the file;
    ///   `StateDictError` with the file as `source` for missing, unexpected or
    ///   mis-shaped keys; `CheckpointError`, `SafetensorsError` or
    ///   `TrainingStateError` for other problems of the files.
    @discardableResult
    public static func load(
        into module: Module, from url: URL, architecture: String,
        optimizer: (any Optimizer)? = nil, schedule: (any LearningRateSchedule)? = nil
    ) throws -> CheckpointMetadata {
        let model = try SafetensorsArchive.read(contentsOf: url)
        let metadata = try CheckpointMetadata(archiveMetadata: model.metadata, file: url.path)
        guard metadata.architecture == architecture else {
            throw CheckpointError.architectureMismatch(file: url.path, expected: architecture, found: metadata.architecture)
        }
        let training = optimizer == nil && schedule == nil ? nil : try TrainingState(pairedWith: model, at: url)
        try module.load(stateDict: model.tensors, source: url.path)
        if let training {
            try optimizer?.load(stateDict: training.optimizerState, source: training.file)
            try schedule?.load(state: training.scheduleState, source: training.file)
        }
        return metadata
    }
}

/// The contents of a training-state file, checked against its model file.
private struct TrainingState {
    /// The training-state file's path.
    let file: String
    /// The optimizer's `stateDict()`.
    let optimizerState: [String: Tensor]
    /// The schedule's `state`.
    let scheduleState: [String: Double]

    /// Reads the training-state file saved with the model file at `modelURL`.
    init(pairedWith model: SafetensorsArchive, at modelURL: URL) throws {
        let key = CheckpointMetadata.Key.trainingStateIdentifier
        let url = Checkpoint.trainingStateURL(forModelAt: modelURL)
        file = url.path
        guard let identifier = model.metadata[key] else {
            throw CheckpointError.missingMetadata(file: modelURL.path, key: key)
        }
        let archive = try SafetensorsArchive.read(contentsOf: url)
        guard archive.metadata[key] == identifier else {
            throw CheckpointError.trainingStateMismatch(file: file, modelFile: modelURL.path)
        }
        var scheduleState: [String: Double] = [:]
        for (key, text) in archive.metadata where key.hasPrefix(Checkpoint.schedulePrefix) {
            guard let value = Double(text) else {
                throw CheckpointError.invalidMetadata(file: file, key: key, value: text, reason: "expected a number")
            }
            scheduleState[String(key.dropFirst(Checkpoint.schedulePrefix.count))] = value
        }
        optimizerState = archive.tensors
        self.scheduleState = scheduleState
    }
}
