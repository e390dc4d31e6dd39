import FERTensor

/// A module that draws random numbers when it runs in training mode
/// (Dropout), so that a trainer can give it a fresh, reproducible stream.
///
/// Reseeding every stochastic module from the run's seed, the epoch and the
/// batch before each batch makes a batch's randomness independent of what ran
/// before it: a run resumed after an interruption draws exactly what the
/// uninterrupted run drew.
public protocol StochasticModule: Module {
    /// Replaces the module's random stream with one split from `generator`.
    func reseed(using generator: inout RandomGenerator)
}
