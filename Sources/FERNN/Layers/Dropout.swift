import FERTensor

/// Inverted dropout, as `torch.nn.Dropout`: in training, zeroes each element
/// with probability `probability` and scales the rest by `1 / (1 - p)`; in
/// evaluation, passes the input through.
///
/// The layer owns a generator split off the one given at construction, so a
/// seeded model drops the same elements on every run.
public final class Dropout: Module, UnaryLayer, StochasticModule {
    /// Probability of zeroing an element; may be changed later (e.g. to 0 to
    /// run training mode without dropout), as `module.p` in PyTorch.
    ///
    /// - Precondition: `0 <= probability < 1`.
    public var probability: Float {
        didSet { precondition((0..<1).contains(probability), "Dropout: probability \(probability) must be in [0, 1)") }
    }
    private var generator: RandomGenerator

    /// A dropout layer.
    ///
    /// - Precondition: `0 <= probability < 1`.
    public init(probability: Float = 0.5, generator: inout RandomGenerator) {
        precondition((0..<1).contains(probability), "Dropout: probability \(probability) must be in [0, 1)")
        self.probability = probability
        self.generator = generator.split()
        super.init()
    }

    public func reseed(using generator: inout RandomGenerator) {
        self.generator = generator.split()
    }

    /// Applies dropout when training.
    public func callAsFunction(_ input: Variable) -> Variable {
        input.dropout(probability: probability, training: isTraining, generator: &generator)
    }
}
