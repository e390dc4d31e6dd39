import FERTensor

/// The bookkeeping every optimizer shares: how many updates each parameter
/// has had, its buffers, and their saving and restoring under the keys
/// described on `Optimizer`. The update rule itself belongs to the optimizer.
struct ParameterStateTable {
    /// What an update rule sees for one parameter: raw elements, taken once.
    struct Update {
        /// The parameter's elements, updated in place.
        let value: UnsafeMutableBufferPointer<Float>
        /// The gradient's elements.
        let gradient: UnsafeBufferPointer<Float>
        /// The parameter's buffers in the order of `bufferNames`, zero before the first update.
        let buffers: [UnsafeMutableBufferPointer<Float>]
        /// Number of this update for this parameter: 1 on the first.
        let step: Int
    }

    /// Key prefix of the hyper-parameters.
    static let hyperparameterPrefix = "hyperparameters."
    /// The hyper-parameter that loading restores instead of checking.
    static let learningRateName = "lr"

    /// Names of the buffers each parameter gets on its first update.
    let bufferNames: [String]
    /// Updates applied to each parameter; 0 until its first gradient.
    private(set) var stepCounts: [Int]
    /// Each parameter's buffers in the order of `bufferNames`; empty before its first update.
    private var buffers: [[Tensor]]

    /// State for `parameterCount` parameters, none updated yet.
    init(parameterCount: Int, bufferNames: [String]) {
        self.bufferNames = bufferNames
        stepCounts = Array(repeating: 0, count: parameterCount)
        buffers = Array(repeating: [], count: parameterCount)
    }

    /// Calls `rule` once for every parameter that requires a gradient and has
    /// one, after counting the update; other parameters and their state stay as they are.
    mutating func update(_ parameters: [Parameter], with rule: (Update) -> Void) {
        precondition(parameters.count == stepCounts.count, "optimizer: \(parameters.count) parameters for state of \(stepCounts.count)")
        for (index, parameter) in parameters.enumerated() {
            guard parameter.requiresGradient, let gradient = parameter.gradient else { continue }
            stepCounts[index] += 1
            let step = stepCounts[index]
            // Taken out of the table so that the tensors are uniquely referenced and updated in place.
            var state = buffers[index]
            buffers[index] = []
            if state.isEmpty {
                state = bufferNames.map { _ in Tensor.zeros(parameter.value.shape) }
            }
            gradient.withUnsafeBufferPointer { gradient in
                parameter.value.withUnsafeMutableBufferPointer { value in
                    withMutableElements(of: &state) { rule(Update(value: value, gradient: gradient, buffers: $0, step: step)) }
                }
            }
            buffers[index] = state
        }
    }

    /// The saved form: hyper-parameters, then step count and buffers of every updated parameter.
    func stateDict(hyperparameters: [String: Float]) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, value) in hyperparameters { result[Self.hyperparameterPrefix + name] = Tensor(value) }
        for index in stepCounts.indices where stepCounts[index] > 0 {
            result[Self.stepKey(index)] = Tensor(Float(stepCounts[index]))
            for (name, buffer) in zip(bufferNames, buffers[index]) { result[Self.key(index, name)] = buffer }
        }
        return result
    }

    /// Restores the state saved by `stateDict(hyperparameters:)` and returns the
    /// saved learning rate. Every hyper-parameter other than the learning rate
    /// must equal `hyperparameters` (the optimizer's configuration). Nothing
    /// changes unless everything fits.
    ///
    /// - Throws: `StateDictError` for missing, unexpected or mis-shaped keys,
    ///   `TrainingStateError` for a bad step count or a differing hyper-parameter.
    mutating func load(
        _ stateDict: [String: Tensor], hyperparameters: [String: Float], parameters: [Parameter], source: String?
    ) throws -> Float {
        precondition(parameters.count == stepCounts.count, "optimizer: \(parameters.count) parameters for state of \(stepCounts.count)")
        let restored = Set(stateDict.keys.compactMap { Self.parameterIndex(in: $0, parameterCount: parameters.count) })
        var expectedShapes: [String: [Int]] = [:]
        for name in hyperparameters.keys { expectedShapes[Self.hyperparameterPrefix + name] = [] }
        for index in restored {
            expectedShapes[Self.stepKey(index)] = []
            for name in bufferNames { expectedShapes[Self.key(index, name)] = parameters[index].value.shape }
        }
        try Self.checkKeys(of: stateDict, against: expectedShapes, source: source)

        for (name, configured) in hyperparameters where name != Self.learningRateName {
            let key = Self.hyperparameterPrefix + name
            let saved = Self.scalar(key, in: stateDict)
            guard saved == configured else {
                throw TrainingStateError.invalidValue(
                    key: key, value: Double(saved), expected: "\(configured) as this optimizer is configured", source: source)
            }
        }
        var counts = Array(repeating: 0, count: parameters.count)
        for index in restored {
            let key = Self.stepKey(index)
            counts[index] = try TrainingStateError.count(Double(Self.scalar(key, in: stateDict)), key: key, minimum: 1, source: source)
        }
        stepCounts = counts
        buffers = counts.indices.map { index in
            restored.contains(index) ? bufferNames.map { Self.tensor(Self.key(index, $0), in: stateDict) } : []
        }
        return Self.scalar(Self.hyperparameterPrefix + Self.learningRateName, in: stateDict)
    }

    /// Throws every missing, unexpected and mis-shaped key at once.
    private static func checkKeys(of stateDict: [String: Tensor], against expectedShapes: [String: [Int]], source: String?) throws {
        var error = StateDictError(
            missingKeys: expectedShapes.keys.filter { stateDict[$0] == nil }.sorted(),
            unexpectedKeys: stateDict.keys.filter { expectedShapes[$0] == nil }.sorted(),
            shapeMismatches: [], source: source)
        for (key, expected) in expectedShapes.sorted(by: { $0.key < $1.key }) {
            if let found = stateDict[key]?.shape, found != expected {
                error.shapeMismatches.append(.init(key: key, expected: expected, found: found))
            }
        }
        guard error.isEmpty else { throw error }
    }

    private static func key(_ index: Int, _ name: String) -> String { "state.\(index).\(name)" }

    private static func stepKey(_ index: Int) -> String { key(index, "step") }

    /// The parameter index of a `state.<index>.<name>` key, if it names one of `parameterCount` parameters.
    private static func parameterIndex(in key: String, parameterCount: Int) -> Int? {
        let parts = key.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]), (0..<parameterCount).contains(index) else { return nil }
        return index
    }

    /// A tensor whose presence `checkKeys` has established.
    private static func tensor(_ key: String, in stateDict: [String: Tensor]) -> Tensor {
        guard let tensor = stateDict[key] else { preconditionFailure("optimizer state: \(key) was checked to be present") }
        return tensor
    }

    /// The element of a rank-0 tensor whose presence and shape `checkKeys` has established.
    private static func scalar(_ key: String, in stateDict: [String: Tensor]) -> Float {
        tensor(key, in: stateDict).item
    }
}

/// Calls `body` with mutable access to the elements of every tensor, in
/// order, copying none of them that is uniquely referenced.
func withMutableElements(of tensors: inout [Tensor], _ body: ([UnsafeMutableBufferPointer<Float>]) -> Void) {
    guard var last = tensors.popLast() else {
        body([])
        return
    }
    last.withUnsafeMutableBufferPointer { lastElements in
        withMutableElements(of: &tensors) { body($0 + [lastElements]) }
    }
    tensors.append(last)
}
