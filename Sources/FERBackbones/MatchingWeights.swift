import FERNN
import FERTensor

/// What `loadMatchingWeights` took from a state dict and what it left.
public struct MatchingWeightsReport: Equatable, Sendable {
    /// Keys loaded: present in both with the same shape.
    public var loaded: [String]
    /// Keys of the state dict the module lacks, or has with another shape.
    public var skipped: [String]
    /// Keys of the module the state dict does not provide (they keep their values).
    public var missing: [String]
}

/// Why `loadMatchingWeights` loaded nothing.
public struct NoMatchingWeightsError: Error, CustomStringConvertible, Equatable {
    /// Where the state dict came from (a file), if known.
    public var source: String?
    /// Number of keys in the state dict.
    public var keyCount: Int

    public var description: String {
        "\(source.map { "\($0): " } ?? "")none of the \(keyCount) keys matches the model's keys and shapes (wrong file or architecture?)"
    }
}

extension Module {
    /// Loads every tensor of `stateDict` whose key the module has with the
    /// same shape, and reports the rest: the way to start a network that
    /// shares only part of its structure with a pretrained one (ImageNet
    /// ResNet50 weights into `MultiScaleResNet`).
    ///
    /// - Throws: `NoMatchingWeightsError` when no key matches (nothing changes then).
    @discardableResult
    public func loadMatchingWeights(_ stateDict: [String: Tensor], source: String? = nil) throws -> MatchingWeightsReport {
        var own = self.stateDict()
        var report = MatchingWeightsReport(loaded: [], skipped: [], missing: [])
        for (key, tensor) in stateDict.sorted(by: { $0.key < $1.key }) {
            if own[key]?.shape == tensor.shape {
                own[key] = tensor
                report.loaded.append(key)
            } else {
                report.skipped.append(key)
            }
        }
        let loaded = Set(report.loaded)
        report.missing = stateDictKeys.filter { !loaded.contains($0) }
        guard !report.loaded.isEmpty else { throw NoMatchingWeightsError(source: source, keyCount: stateDict.count) }
        try load(stateDict: own, source: source)
        return report
    }
}
