import FERTensor

/// Updates a list of parameters from their gradients (PyTorch's `torch.optim.Optimizer`).
///
/// An optimizer never owns the model: it is given the parameters it updates
/// (`model.trainableParameters`, or any subset) and changes their values in
/// place on `step()`. Parameters that are frozen (`requiresGradient == false`)
/// or have no gradient are skipped, and their state does not advance.
///
/// State is kept per parameter, keyed by the parameter's index in
/// `parameters`, so a run can be saved and resumed exactly:
///
/// - `state.<index>.step`: updates applied to that parameter (rank 0; exact up
///   to 2²⁴ steps, as it is stored in Float32 like PyTorch's `step` tensor);
/// - `state.<index>.<buffer>`: the optimizer's buffers in the parameter's shape
///   (`momentum_buffer`; `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`);
/// - `hyperparameters.<name>`: `lr`, `momentum`, `betas.0`, ... (rank 0).
///
/// A parameter that has never been updated has no `state.<index>.*` keys.
/// Loading restores the learning rate (schedules change it during a run) and
/// checks that every other hyper-parameter equals the one configured.
public protocol Optimizer: AnyObject {
    /// The parameters this optimizer updates; their indices key the state.
    var parameters: [Parameter] { get }

    /// The learning rate of the next `step()`; schedules set it between epochs.
    var learningRate: Float { get set }

    /// Applies one update to every trainable parameter that has a gradient.
    func step()

    /// The per-parameter state and hyper-parameters, as described on `Optimizer`.
    func stateDict() -> [String: Tensor]

    /// Restores a state saved by `stateDict()` of an optimizer of the same kind
    /// over parameters of the same shapes. Nothing changes unless all of it fits.
    ///
    /// - Parameter source: where the state came from (a file path), named in errors.
    /// - Throws: `StateDictError` listing missing, unexpected and mis-shaped keys;
    ///   `TrainingStateError` for an invalid step count or a hyper-parameter that
    ///   differs from this optimizer's configuration.
    func load(stateDict: [String: Tensor], source: String?) throws
}

extension Optimizer {
    /// Forgets the gradients of every parameter (`optimizer.zero_grad()`).
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    /// Restores a state saved by `stateDict()`; see `load(stateDict:source:)`.
    public func load(stateDict: [String: Tensor]) throws {
        try load(stateDict: stateDict, source: nil)
    }
}
