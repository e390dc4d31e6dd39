/// Adam with decoupled weight decay (Loshchilov & Hutter), as
/// `torch.optim.AdamW`: the parameter shrinks by `lr·λ` of itself before the
/// Adam update instead of `λ·p` being added to the gradient. The update rule
/// and state are `Adam`'s with `decoupledWeightDecay` set.
public final class AdamW: Adam {
    /// An optimizer over `parameters` with PyTorch's defaults (weight decay 0.01).
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
        epsilon: Float = 1e-8, weightDecay: Float = 1e-2, amsgrad: Bool = false
    ) {
        super.init(
            parameters, learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
            amsgrad: amsgrad, decoupledWeightDecay: true)
    }
}
