import FERNN
import FERTensor

/// Settings of the Fusion Attention Network head (DESIGN.md 5.2).
public struct AttentionFusionConfiguration: Codable, Equatable, Sendable {
    /// Common feature width `d`; `nil` takes the smaller of the two backbone
    /// widths. Features of another width are projected by a linear layer.
    public var width: Int?
    /// What self attention runs over.
    public var scope: AttentionScope
    /// Tokens per sample in `.perSample` scope; must divide `d`.
    public var tokens: Int
    /// Whether local attention (FC, Conv1d, FC, residual) follows self attention (the paper's ablation).
    public var localAttention: Bool
    /// Whether Q, K and V get learned linear projections (off in the paper).
    public var learnedProjections: Bool
    /// Hidden width of the two-layer classifier; `nil` takes `d / 2`.
    public var classifierHiddenWidth: Int?
    /// Dropout before the classifier's last layer.
    public var dropout: Float

    /// The paper's head: per-sample attention over 16 tokens, local attention, no Q/K/V projections.
    public init(
        width: Int? = nil, scope: AttentionScope = .perSample, tokens: Int = 16, localAttention: Bool = true,
        learnedProjections: Bool = false, classifierHiddenWidth: Int? = nil, dropout: Float = 0.3
    ) {
        self.width = width
        self.scope = scope
        self.tokens = tokens
        self.localAttention = localAttention
        self.learnedProjections = learnedProjections
        self.classifierHiddenWidth = classifierHiddenWidth
        self.dropout = dropout
    }
}

/// The Fusion Attention Network head: MLP fusion of the two feature vectors,
/// self attention with Q = f1, K = f2 and V = (f1 + f2 + MLP) / 3, the
/// element-wise product with V, local attention, and a classifier.
///
/// Keys follow `shared/bench/torch_fusion_head.py` (`mlp.0`, `mlp.2`,
/// `local_in`, `local_conv`, `local_out`, `classifier.0`, `classifier.3`).
public final class AttentionFusionHead: Module, FusionHead {
    public override class var propertyKeys: [String: String] {
        [
            "projectFirst": "project_first", "projectSecond": "project_second", "queryProjection": "query",
            "keyProjection": "key", "valueProjection": "value", "localIn": "local_in", "localConvolution": "local_conv",
            "localOut": "local_out",
        ]
    }

    let projectFirst: Linear?, projectSecond: Linear?
    let mlp: Sequential
    let queryProjection: Linear?, keyProjection: Linear?, valueProjection: Linear?
    let localIn: Linear?, localConvolution: Conv1d?, localOut: Linear?
    let classifier: Sequential
    /// The settings the head was built with (`width` resolved).
    public let configuration: AttentionFusionConfiguration
    public let classCount: Int
    /// Widths of the two feature vectors.
    public let featureWidths: (Int, Int)

    /// A head for features of `featureWidths`.
    public init(
        featureWidths: (Int, Int), classCount: Int, configuration: AttentionFusionConfiguration = .init(),
        generator: inout RandomGenerator
    ) {
        var configuration = configuration
        let width = configuration.width ?? Swift.min(featureWidths.0, featureWidths.1)
        configuration.width = width
        precondition(
            configuration.scope == .batch || (configuration.tokens > 0 && width % configuration.tokens == 0),
            "AttentionFusionHead: \(configuration.tokens) tokens must divide the width \(width)")
        func linear(_ input: Int, _ output: Int) -> Linear {
            Linear(inputFeatures: input, outputFeatures: output, generator: &generator)
        }
        projectFirst = featureWidths.0 == width ? nil : linear(featureWidths.0, width)
        projectSecond = featureWidths.1 == width ? nil : linear(featureWidths.1, width)
        mlp = Sequential(linear(2 * width, width), ReLU(), linear(width, width))
        let projected = configuration.learnedProjections
        queryProjection = projected ? linear(width, width) : nil
        keyProjection = projected ? linear(width, width) : nil
        valueProjection = projected ? linear(width, width) : nil
        let local = configuration.localAttention
        localIn = local ? linear(width, width) : nil
        localConvolution = local
            ? Conv1d(inputChannels: 1, outputChannels: 1, kernelSize: 3, padding: 1, generator: &generator) : nil
        localOut = local ? linear(width, width) : nil
        let hidden = configuration.classifierHiddenWidth ?? width / 2
        classifier = Sequential(
            linear(width, hidden), ReLU(), Dropout(probability: configuration.dropout, generator: &generator),
            linear(hidden, classCount))
        self.configuration = configuration
        self.classCount = classCount
        self.featureWidths = featureWidths
        super.init()
    }

    public var kind: FusionStrategyKind { .attention }

    /// The common width `d`.
    public var width: Int { configuration.width! }

    public func callAsFunction(_ input: FusionInput) -> Variable {
        checkFeatures(input, widths: featureWidths, head: "AttentionFusionHead")
        let first = projectFirst?(input.first) ?? input.first
        let second = projectSecond?(input.second) ?? input.second
        let fused = mlp(Variable.concatenated([first, second], axis: 1))
        let values = (first + second + fused) / 3
        let attended = selfAttention(
            queries: queryProjection?(first) ?? first, keys: keyProjection?(second) ?? second,
            values: valueProjection?(values) ?? values)
        return classifier(localAttention(attended))
    }

    /// `softmax(Q Kᵀ / √d_k) V ⊗ V`, over tokens of each sample or over the batch.
    func selfAttention(queries: Variable, keys: Variable, values: Variable) -> Variable {
        let batch = queries.shape[0]
        switch configuration.scope {
        case .perSample:
            let tokens = configuration.tokens, tokenWidth = width / tokens
            let shape = [batch, tokens, tokenWidth]
            let scores = Variable.matmul(queries.reshaped(shape), keys.reshaped(shape), transposeB: true)
                / Float(tokenWidth).squareRoot()
            let mixed = Variable.matmul(scores.softmax(alongAxis: -1), values.reshaped(shape))
            return mixed.reshaped([batch, width]) * values
        case .batch:
            let scores = Variable.matmul(queries, keys, transposeB: true) / Float(width).squareRoot()
            return Variable.matmul(scores.softmax(alongAxis: -1), values) * values
        }
    }

    /// `S + FC(ReLU(Conv1d(FC(S))))` over the feature axis, or `S` when local attention is off.
    func localAttention(_ attended: Variable) -> Variable {
        guard let localIn, let localConvolution, let localOut else { return attended }
        let convolved = localConvolution(localIn(attended).unsqueezed(axis: 1)).squeezed(axis: 1)
        return attended + localOut(convolved.relu())
    }
}
