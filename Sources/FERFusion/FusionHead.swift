import FERNN

/// What a fusion head sees of one batch: each backbone's pooled features
/// and, for late fusion, each backbone's own class logits.
public struct FusionInput {
    /// Features of the first backbone, `[B, d1]`.
    public var first: Variable
    /// Features of the second backbone, `[B, d2]`.
    public var second: Variable
    /// The first backbone's class logits `[B, classes]`, when the head needs them.
    public var firstLogits: Variable?
    /// The second backbone's class logits `[B, classes]`, when the head needs them.
    public var secondLogits: Variable?

    /// The features (and optionally logits) of a batch.
    public init(first: Variable, second: Variable, firstLogits: Variable? = nil, secondLogits: Variable? = nil) {
        self.first = first
        self.second = second
        self.firstLogits = firstLogits
        self.secondLogits = secondLogits
    }
}

/// A fusion strategy's trainable part (DESIGN.md 5.2): it maps what two
/// backbones produce for a batch to fused class logits, so that
/// `crossEntropy`, `softmax` and `argmax` apply to every strategy alike.
public protocol FusionHead: Module {
    /// Which strategy this head implements.
    var kind: FusionStrategyKind { get }
    /// Number of classes predicted.
    var classCount: Int { get }
    /// Whether the head reads the backbones' own logits (late fusion) rather than their features.
    var readsBackboneLogits: Bool { get }
    /// Fused class logits `[B, classCount]`.
    func callAsFunction(_ input: FusionInput) -> Variable
}

extension FusionHead {
    public var readsBackboneLogits: Bool { false }
}

/// The checks every head makes on its input, with messages naming the shapes.
func checkFeatures(_ input: FusionInput, widths: (Int, Int), head: String) {
    precondition(
        input.first.rank == 2 && input.second.rank == 2 && input.first.shape[0] == input.second.shape[0],
        "\(head): features must be [B, d1] and [B, d2] with the same B, got \(input.first.shape) and \(input.second.shape)")
    precondition(
        input.first.shape[1] == widths.0 && input.second.shape[1] == widths.1,
        "\(head): expects feature widths \(widths.0) and \(widths.1), got \(input.first.shape[1]) and \(input.second.shape[1])")
}
