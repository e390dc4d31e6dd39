/// Why a state dict does not fit a model. Lists every problem at once.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
    /// A key whose tensor has the wrong shape.
    public struct ShapeMismatch: Equatable, Sendable {
        /// The state-dict key.
        public var key: String
        /// Shape the model has.
        public var expected: [Int]
        /// Shape the state dict has.
        public var found: [Int]
    }

    /// Keys the model has and the state dict lacks.
    public var missingKeys: [String]
    /// Keys the state dict has and the model lacks.
    public var unexpectedKeys: [String]
    /// Keys present in both with different shapes.
    public var shapeMismatches: [ShapeMismatch]
    /// Where the state dict came from (a file path), if known.
    public var source: String?

    /// Whether nothing is wrong.
    public var isEmpty: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var lines = ["state dict\(source.map { " \($0)" } ?? "") does not fit the model:"]
        if !missingKeys.isEmpty { lines.append("  missing keys (\(missingKeys.count)): \(missingKeys.joined(separator: ", "))") }
        if !unexpectedKeys.isEmpty { lines.append("  unexpected keys (\(unexpectedKeys.count)): \(unexpectedKeys.joined(separator: ", "))") }
        for mismatch in shapeMismatches {
            lines.append("  \(mismatch.key): model has shape \(mismatch.expected), state dict has \(mismatch.found)")
        }
        return lines.joined(separator: "\n")
    }
}
