import FERTensor

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum
/// and weight decay, as `torch.optim.SGD`.
///
/// For each parameter `p` with gradient `g`, with learning rate `lr`,
/// momentum `μ`, dampening `τ` and weight decay `λ`:
///
///     d = g + λ·p
///     b = d                      on the parameter's first update
///     b = μ·b + (1 − τ)·d        afterwards        (when μ ≠ 0)
///     d = d + μ·b  (Nesterov)    or   d = b        (when μ ≠ 0)
///     p = p − lr·d
///
/// State: `momentum_buffer` per parameter when `μ ≠ 0`.
public final class SGD: Optimizer {
    /// The parameters this optimizer updates.
    public let parameters: [Parameter]
    /// Step size `lr`.
    public var learningRate: Float
    /// Momentum factor `μ` (0: plain gradient descent).
    public let momentum: Float
    /// Dampening `τ` of the gradient added to the momentum buffer.
    public let dampening: Float
    /// L2 penalty `λ` added to the gradient.
    public let weightDecay: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    private var state: ParameterStateTable

    /// An optimizer over `parameters` with PyTorch's defaults.
    ///
    /// - Precondition: the learning rate, momentum and weight decay are not
    ///   negative; Nesterov momentum needs `momentum > 0` and `dampening == 0`.
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, momentum: Float = 0, dampening: Float = 0,
        weightDecay: Float = 0, nesterov: Bool = false
    ) {
        precondition(learningRate >= 0, "SGD: invalid learning rate \(learningRate)")
        precondition(momentum >= 0, "SGD: invalid momentum \(momentum)")
        precondition(weightDecay >= 0, "SGD: invalid weight decay \(weightDecay)")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires momentum > 0 and dampening 0")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        state = ParameterStateTable(parameterCount: parameters.count, bufferNames: momentum != 0 ? ["momentum_buffer"] : [])
    }

    /// Updates counted so far for each parameter (0: never updated).
    public var stepCounts: [Int] { state.stepCounts }

    private var hyperparameters: [String: Float] {
        ["lr": learningRate, "momentum": momentum, "dampening": dampening, "weight_decay": weightDecay, "nesterov": nesterov ? 1 : 0]
    }

    /// Applies one update to every trainable parameter that has a gradient.
    public func step() {
        let (learningRate, momentum, dampening, weightDecay, nesterov) = (learningRate, momentum, dampening, weightDecay, nesterov)
        state.update(parameters) { update in
            let (value, gradient) = (update.value, update.gradient)
            let buffer = update.buffers.first
            let isFirstUpdate = update.step == 1
            for index in value.indices {
                var direction = gradient[index]
                if weightDecay != 0 { direction += weightDecay * value[index] }
                if let buffer {
                    let momentumTerm = isFirstUpdate ? direction : momentum * buffer[index] + (1 - dampening) * direction
                    buffer[index] = momentumTerm
                    direction = nesterov ? direction + momentum * momentumTerm : momentumTerm
                }
                value[index] -= learningRate * direction
            }
        }
    }

    /// The per-parameter state and hyper-parameters (see `Optimizer`).
    public func stateDict() -> [String: Tensor] {
        state.stateDict(hyperparameters: hyperparameters)
    }

    /// Restores a state saved by `stateDict()` (see `Optimizer`).
    public func load(stateDict: [String: Tensor], source: String?) throws {
        learningRate = try state.load(stateDict, hyperparameters: hyperparameters, parameters: parameters, source: source)
    }
}
