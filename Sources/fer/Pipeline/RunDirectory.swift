import FERFusion
import Foundation

/// The files of one run's directory.
struct RunDirectory {
    /// The directory.
    let url: URL

    /// What the run is (configuration, recipe, seed, data), written when it starts.
    var description: URL { url.appendingPathComponent("run.json") }
    /// One JSON line per epoch.
    var metrics: URL { url.appendingPathComponent("metrics.jsonl") }
    /// The final test evaluation; its presence marks the run as complete.
    var report: URL { url.appendingPathComponent("report.json") }
    /// The model selected on the validation split (loadable by `fer evaluate` and `fer predict`).
    var model: URL { url.appendingPathComponent("best.safetensors") }
    /// Loss and accuracy per epoch.
    var curves: URL { url.appendingPathComponent("curves.svg") }
    /// The test confusion matrix.
    var confusion: URL { url.appendingPathComponent("confusion.svg") }

    /// Creates the directory and records `run` in it, or checks that a run
    /// already there is the same one (so that it can be resumed or reused).
    ///
    /// - Throws: `RunError.otherRun` when the directory holds another run.
    func begin<Run: Codable & Equatable>(_ run: Run) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: description.path) {
            let existing = try? JSONDecoder().decode(Run.self, from: Data(contentsOf: description))
            guard existing == run else { throw RunError.otherRun(directory: url.path) }
            return
        }
        try prettyJSON(run).write(to: description, options: .atomic)
    }

    /// Sets `trainer` up to run here: `checkpoints`, a progress display, the
    /// metrics log, a stop on Ctrl-C; then resumes the run saved there, if any.
    ///
    /// - Throws: what resuming throws (a checkpoint that does not fit the model).
    func attach<Batch>(_ trainer: Trainer<Batch>, checkpoints: TrainingCheckpoints) throws {
        trainer.checkpoints = checkpoints
        trainer.callbacks = [ProgressBar(), MetricsLog(url: metrics)]
        trainer.shouldStop = { Interruption.requested }
        if checkpoints.canResume { try checkpoints.resume(trainer) }
    }
}

/// Why a run could not start or finish.
enum RunError: Error, CustomStringConvertible {
    /// The output directory holds a run with another configuration.
    case otherRun(directory: String)
    /// A checkpoint holds another kind of model than the command needs.
    case wrongModel(file: String, expected: String)
    /// The two backbones of a fusion read different input.
    case incompatibleBackbones(reason: String)

    var description: String {
        switch self {
        case let .otherRun(directory):
            "\(directory) holds a run with another configuration (see its run.json); choose another --out or remove it"
        case let .wrongModel(file, expected): "\(file): expected \(expected)"
        case let .incompatibleBackbones(reason): "the two backbones cannot be fused: \(reason)"
        }
    }
}

/// `value` as indented JSON with sorted keys.
func prettyJSON(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value)
}

/// `value` as one line of JSON with sorted keys.
func compactJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
