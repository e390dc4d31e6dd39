import FERTensor

/// Multi-head scaled dot-product attention, as
/// `torch.nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)`
/// with its state-dict keys (`in_proj_weight`, `in_proj_bias`, `out_proj.*`).
///
/// Inputs are `[batch, tokens, embedding]`; each head attends with
/// `softmax(Q Kᵀ / sqrt(d)) V` over `d = embedding / heads` features.
public final class MultiheadAttention: Module {
    public override class var propertyKeys: [String: String] {
        ["inputProjectionWeight": "in_proj_weight", "inputProjectionBias": "in_proj_bias", "outputProjection": "out_proj"]
    }

    /// Stacked query, key and value projections, `[3E, E]`.
    public let inputProjectionWeight: Parameter
    /// Their biases, `[3E]`, or `nil`.
    public let inputProjectionBias: Parameter?
    /// The projection of the concatenated heads.
    public let outputProjection: Linear
    /// Number of heads.
    public let headCount: Int

    /// Attention over `embedding` features split into `headCount` heads,
    /// initialised as PyTorch does (Xavier-uniform projections, zero biases).
    public init(embedding: Int, headCount: Int, bias: Bool = true, generator: inout RandomGenerator) {
        precondition(headCount > 0 && embedding % headCount == 0, "MultiheadAttention: \(embedding) features do not split into \(headCount) heads")
        inputProjectionWeight = Parameter(Initialization.xavierUniform([3 * embedding, embedding], using: &generator))
        inputProjectionBias = bias ? Parameter(Tensor.zeros([3 * embedding])) : nil
        outputProjection = Linear(inputFeatures: embedding, outputFeatures: embedding, bias: bias, generator: &generator)
        outputProjection.bias?.value = Tensor.zeros([embedding])
        self.headCount = headCount
        super.init()
    }

    /// Embedding width.
    public var embedding: Int { inputProjectionWeight.value.shape[1] }

    /// Attends from `query` `[B, T, E]` to `key`/`value` `[B, S, E]`; returns `[B, T, E]`.
    public func callAsFunction(query: Variable, key: Variable, value: Variable) -> Variable {
        precondition(
            query.rank == 3 && key.rank == 3 && value.rank == 3 && query.shape[2] == embedding
                && key.shape == value.shape && key.shape[0] == query.shape[0] && key.shape[2] == embedding,
            "MultiheadAttention: query \(query.shape), key \(key.shape), value \(value.shape) must be [B, T, \(embedding)] and [B, S, \(embedding)]")
        let (batch, targets, sources) = (query.shape[0], query.shape[1], key.shape[1])
        let headWidth = embedding / headCount
        let heads = [query, key, value].enumerated().map { index, input in
            splitHeads(project(input, part: index), tokens: index == 0 ? targets : sources, batch: batch, headWidth: headWidth)
        }
        let scores = Variable.matmul(heads[0], heads[1], transposeB: true) / Float(headWidth).squareRoot()
        let attended = Variable.matmul(scores.softmax(alongAxis: -1), heads[2])
        let merged = attended.reshaped([batch, headCount, targets, headWidth]).permuted([0, 2, 1, 3]).reshaped([batch, targets, embedding])
        return outputProjection(merged)
    }

    /// `input Wᵢᵀ + bᵢ` with the `part`-th (query, key, value) slice of the stacked projection.
    private func project(_ input: Variable, part: Int) -> Variable {
        let rows = part * embedding..<(part + 1) * embedding
        let weight = inputProjectionWeight.variable.sliced(axis: 0, range: rows)
        var projected = Variable.matmul(input.reshaped([-1, embedding]), weight, transposeB: true)
        if let bias = inputProjectionBias { projected = projected + bias.variable.sliced(axis: 0, range: rows) }
        return projected
    }

    /// `[B*T, E]` to `[B*H, T, E/H]`.
    private func splitHeads(_ projected: Variable, tokens: Int, batch: Int, headWidth: Int) -> Variable {
        projected.reshaped([batch, tokens, headCount, headWidth]).permuted([0, 2, 1, 3]).reshaped([batch * headCount, tokens, headWidth])
    }
}
