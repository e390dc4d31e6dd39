import FERNN
import FERTensor

/// Early and joint fusion: a classifier on the concatenated features
/// `[f1, f2]`. The head is the same for both; what differs is training:
/// early fusion keeps the backbones frozen (and can train from cached
/// features), joint fusion fine-tunes them through the head.
public final class ConcatenationFusionHead: Module, FusionHead {
    /// `Linear(d1 + d2, hidden)`, ReLU, Dropout, `Linear(hidden, classes)`;
    /// or one `Linear(d1 + d2, classes)` without a hidden width.
    let classifier: Sequential
    public let kind: FusionStrategyKind
    public let classCount: Int
    /// Widths of the two feature vectors.
    public let featureWidths: (Int, Int)

    /// A head for `kind` (`.early` or `.joint`) on features of `featureWidths`.
    public init(
        kind: FusionStrategyKind, featureWidths: (Int, Int), classCount: Int, hiddenWidth: Int? = 512,
        dropout: Float = 0.3, generator: inout RandomGenerator
    ) {
        precondition(kind == .early || kind == .joint, "ConcatenationFusionHead: kind must be .early or .joint, got .\(kind)")
        let inputWidth = featureWidths.0 + featureWidths.1
        if let hiddenWidth {
            classifier = Sequential(
                Linear(inputFeatures: inputWidth, outputFeatures: hiddenWidth, generator: &generator), ReLU(),
                Dropout(probability: dropout, generator: &generator),
                Linear(inputFeatures: hiddenWidth, outputFeatures: classCount, generator: &generator))
        } else {
            classifier = Sequential(Linear(inputFeatures: inputWidth, outputFeatures: classCount, generator: &generator))
        }
        self.kind = kind
        self.classCount = classCount
        self.featureWidths = featureWidths
        super.init()
    }

    public func callAsFunction(_ input: FusionInput) -> Variable {
        checkFeatures(input, widths: featureWidths, head: "ConcatenationFusionHead")
        return classifier(Variable.concatenated([input.first, input.second], axis: 1))
    }
}
