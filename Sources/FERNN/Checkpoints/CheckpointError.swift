/// Why a checkpoint cannot be loaded. Every case names the file.
///
/// Key and shape problems of the weights or the optimizer state are reported
/// as `StateDictError` (with the file as `source`), unreadable files as
/// `SafetensorsError`, bad optimizer or schedule values as `TrainingStateError`.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The checkpoint was saved for another architecture than the model it is loaded into.
    case architectureMismatch(file: String, expected: String, found: String)
    /// A metadata entry the checkpoint needs is absent.
    case missingMetadata(file: String, key: String)
    /// A metadata entry cannot be understood.
    case invalidMetadata(file: String, key: String, value: String, reason: String)
    /// The training-state file was not written together with the model file
    /// (a stale or foreign file next to it).
    case trainingStateMismatch(file: String, modelFile: String)

    /// One sentence saying what went wrong and where.
    public var description: String {
        switch self {
        case let .architectureMismatch(file, expected, found):
            return "\(file): checkpoint is for architecture \"\(found)\", expected \"\(expected)\""
        case let .missingMetadata(file, key):
            return "\(file): metadata has no \"\(key)\""
        case let .invalidMetadata(file, key, value, reason):
            return "\(file): metadata \"\(key)\" = \"\(value)\" is invalid: \(reason)"
        case let .trainingStateMismatch(file, modelFile):
            return "\(file): training state was not saved together with \(modelFile)"
        }
    }
}
