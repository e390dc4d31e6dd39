import Foundation
import FERTensor

/// Adam, with optional AMSGrad and either L2 (coupled) or decoupled weight
/// decay, as `torch.optim.Adam` (`AdamW` is the decoupled form).
///
/// For each parameter `p` with gradient `g` at its `t`-th update, with
/// learning rate `lr`, betas `β₁, β₂`, epsilon `ε` and weight decay `λ`:
///
///     g = g + λ·p                 (coupled)     or   p = p·(1 − lr·λ)   (decoupled)
///     m = m + (1 − β₁)·(g − m)    (torch.lerp)
///     v = β₂·v + (1 − β₂)·g·g
///     v̂ = max(v̂, v)              (AMSGrad; otherwise v̂ = v)
///     p = p − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
///
/// The bias corrections are computed in Double, as PyTorch does in Python.
/// State: `exp_avg`, `exp_avg_sq` and, with AMSGrad, `max_exp_avg_sq`.
public class Adam: Optimizer {
    /// The parameters this optimizer updates.
    public let parameters: [Parameter]
    /// Step size `lr`.
    public var learningRate: Float
    /// Decay rate `β₁` of the first-moment estimate.
    public let beta1: Float
    /// Decay rate `β₂` of the second-moment estimate.
    public let beta2: Float
    /// Term `ε` added to the denominator for numerical stability.
    public let epsilon: Float
    /// Weight decay `λ`.
    public let weightDecay: Float
    /// Whether to use the AMSGrad variant (maximum of past second moments).
    public let amsgrad: Bool
    /// Whether weight decay shrinks the parameter directly (AdamW) instead
    /// of being added to the gradient (L2 regularisation).
    public let decoupledWeightDecay: Bool
    private var state: ParameterStateTable

    /// An optimizer over `parameters` with PyTorch's defaults.
    ///
    /// - Precondition: the learning rate, epsilon and weight decay are not
    ///   negative and both betas lie in `0..<1`.
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
        epsilon: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false, decoupledWeightDecay: Bool = false
    ) {
        precondition(learningRate >= 0, "Adam: invalid learning rate \(learningRate)")
        precondition(epsilon >= 0, "Adam: invalid epsilon \(epsilon)")
        precondition(weightDecay >= 0, "Adam: invalid weight decay \(weightDecay)")
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "Adam: invalid betas \(betas)")
        self.parameters = parameters
        self.learningRate = learningRate
        (beta1, beta2) = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        self.decoupledWeightDecay = decoupledWeightDecay
        let bufferNames = ["exp_avg", "exp_avg_sq"] + (amsgrad ? ["max_exp_avg_sq"] : [])
        state = ParameterStateTable(parameterCount: parameters.count, bufferNames: bufferNames)
    }

    /// Updates counted so far for each parameter (0: never updated).
    public var stepCounts: [Int] { state.stepCounts }

    private var hyperparameters: [String: Float] {
        [
            "lr": learningRate, "betas.0": beta1, "betas.1": beta2, "eps": epsilon, "weight_decay": weightDecay,
            "amsgrad": amsgrad ? 1 : 0, "decoupled_weight_decay": decoupledWeightDecay ? 1 : 0,
        ]
    }

    /// Applies one update to every trainable parameter that has a gradient.
    public func step() {
        let (learningRate, beta1, beta2, epsilon, weightDecay) = (learningRate, beta1, beta2, epsilon, weightDecay)
        let coupledDecay = decoupledWeightDecay ? 0 : weightDecay
        let shrink = Float(1 - Double(learningRate) * Double(decoupledWeightDecay ? weightDecay : 0))
        state.update(parameters) { update in
            let coefficients = OptimizerUpdates.AdamCoefficients(
                learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, step: update.step,
                coupledDecay: coupledDecay, shrink: shrink)
            OptimizerUpdates.adam(
                value: update.value, gradient: update.gradient, firstMoment: update.buffers[0],
                secondMoment: update.buffers[1], maximumSecondMoment: amsgrad ? update.buffers[2] : nil,
                coefficients: coefficients)
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
