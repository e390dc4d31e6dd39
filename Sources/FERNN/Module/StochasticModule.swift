import FERTensor

/// A module that draws random numbers when it runs in training mode
/// (Dropout), so that a trainer can give it a fresh, reproducible stream.
///
/// Reseeding every stochastic module from the run's seed and the epoch
/// number at the start of each epoch makes an epoch's randomness independent
/// of what ran before it: a run resumed at an epoch boundary draws exactly
/// what the uninterrupted run drew.
public protocol StochasticModule: Module {
    /// Replaces the module's random stream with one split from `generator`.
    func reseed(using generator: inout RandomGenerator)
}

extension Module {
    /// Reseeds this module and every stochastic descendant, in `modules`
    /// order, from one generator seeded with `seed`.
    public func reseedStochasticModules(seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        for case let module as any StochasticModule in modules {
            module.reseed(using: &generator)
        }
    }
}
