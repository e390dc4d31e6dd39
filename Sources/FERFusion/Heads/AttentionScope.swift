/// What the attention-fusion self attention runs over.
public enum AttentionScope: String, CaseIterable, Codable, Sendable {
    /// Tokens inside each sample: a prediction never depends on the rest of the batch (default).
    case perSample = "per-sample"
    /// Whole feature vectors across the batch (the paper's literal formulation): predictions depend on batch contents.
    case batch
}
