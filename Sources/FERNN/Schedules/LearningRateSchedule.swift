/// A learning rate that changes over the epochs of a run, as the schedulers
/// of `torch.optim.lr_scheduler`.
///
/// A schedule computes learning rates; it does not hold the optimizer. Use it as
///
///     optimizer.learningRate = schedule.learningRate   // before each epoch
///     ... train one epoch ...
///     schedule.step()                                  // or step(metric:)
///
/// Its `state` is a dictionary of numbers, saved with the optimizer's state
/// (see `Checkpoint`) so that a resumed run continues the same sequence.
public protocol LearningRateSchedule: AnyObject {
    /// The learning rate for the current epoch.
    var learningRate: Float { get }

    /// Everything that changes as the schedule advances, by name.
    var state: [String: Double] { get }

    /// Restores a state saved from `state` of a schedule configured the same way.
    ///
    /// - Parameter source: where the state came from (a file path), named in errors.
    /// - Throws: `TrainingStateError` for a missing or invalid value; nothing changes then.
    func load(state: [String: Double], source: String?) throws
}

/// A schedule whose learning rate is a function of the epoch alone.
///
/// Its state is `last_epoch`, the number of `step()` calls, as PyTorch's.
public protocol EpochLearningRateSchedule: LearningRateSchedule {
    /// Epochs completed so far (0 at the start of training).
    var epoch: Int { get set }

    /// The learning rate of epoch `epoch` (counting from 0).
    func learningRate(atEpoch epoch: Int) -> Float
}

extension EpochLearningRateSchedule {
    /// The learning rate for the current epoch.
    public var learningRate: Float { learningRate(atEpoch: epoch) }

    /// Advances to the next epoch.
    public func step() { epoch += 1 }

    /// `last_epoch`: the current epoch.
    public var state: [String: Double] { ["last_epoch": Double(epoch)] }

    /// Restores `last_epoch`.
    public func load(state: [String: Double], source: String?) throws {
        epoch = try requiredCount("last_epoch", in: state, source: source)
    }
}

/// The whole number at least 0 saved under `key`.
func requiredCount(_ key: String, in state: [String: Double], source: String?) throws -> Int {
    try TrainingStateError.count(requiredValue(key, in: state, source: source), key: key, minimum: 0, source: source)
}

/// The number saved under `key`.
func requiredValue(_ key: String, in state: [String: Double], source: String?) throws -> Double {
    guard let value = state[key] else { throw TrainingStateError.missingValue(key: key, source: source) }
    return value
}
