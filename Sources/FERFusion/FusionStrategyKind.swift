/// The ways FERKit fuses the features of two backbones (DESIGN.md 5.2).
public enum FusionStrategyKind: String, CaseIterable, Codable, Sendable {
    /// Weighted average of the two backbones' softmax outputs.
    case late
    /// A classifier trained on concatenated features of frozen backbones.
    case early
    /// The same classifier trained end to end, fine-tuning both backbones.
    case joint
    /// The Fusion Attention Network: MLP fusion, self attention, local attention.
    case attention

    /// Whether training this strategy changes the backbones' parameters.
    public var finetunesBackbones: Bool { self == .joint }
}
