import Testing
import FERTensor
@testable import FERNN

/// An SGD configuration and the reference it must follow.
struct SGDCase: Sendable, CustomTestStringConvertible {
    var momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0, nesterov = false
    var testDescription: String { "momentum \(momentum) dampening \(dampening) weight decay \(weightDecay) nesterov \(nesterov)" }

    func optimizer(_ parameters: [Parameter]) -> SGD {
        SGD(parameters, learningRate: 0.1, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    var reference: ReferenceSGD {
        ReferenceSGD(
            learningRate: Double(Float(0.1)), momentum: Double(momentum), dampening: Double(dampening),
            weightDecay: Double(weightDecay), nesterov: nesterov)
    }
}

/// An Adam or AdamW configuration and the reference it must follow.
struct AdamCase: Sendable, CustomTestStringConvertible {
    var weightDecay: Float = 0, amsgrad = false, decoupled = false
    var testDescription: String { "\(decoupled ? "AdamW" : "Adam") weight decay \(weightDecay) amsgrad \(amsgrad)" }

    func optimizer(_ parameters: [Parameter]) -> Adam {
        decoupled
            ? AdamW(parameters, learningRate: 0.01, weightDecay: weightDecay, amsgrad: amsgrad)
            : Adam(parameters, learningRate: 0.01, weightDecay: weightDecay, amsgrad: amsgrad)
    }

    var reference: ReferenceAdam {
        ReferenceAdam(
            learningRate: Double(Float(0.01)), beta1: Double(Float(0.9)), beta2: Double(Float(0.999)),
            epsilon: Double(Float(1e-8)), weightDecay: Double(weightDecay), amsgrad: amsgrad, decoupled: decoupled)
    }
}

/// Runs `steps` updates of `optimizer` and of `reference` from the same start,
/// with `testGradient`, and expects the same values after every step.
func expectFollowsReference(
    _ makeOptimizer: ([Parameter]) -> any Optimizer, _ reference: some ReferenceOptimizer, steps: Int = 6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let start: [Float] = [0.8, -1.2, 2.5, 0.05, -0.4, 1.7]
    let parameter = Parameter(Tensor(shape: [2, 3], scalars: start))
    let optimizer = makeOptimizer([parameter])
    var reference = reference
    var expected = start.map(Double.init)
    for step in 1...steps {
        parameter.gradient = testGradient(of: parameter.value, step: step)
        optimizer.step()
        reference.step(&expected, gradient: testGradient(of: expected, step: step))
        expectClose(parameter.value.scalars, expected, "step \(step)", sourceLocation: sourceLocation)
    }
}

/// A few parameters with gradients from `testGradient`, to run optimizers on.
final class Trajectory {
    let parameters: [Parameter]
    /// Parameters that get gradients; the last one never does.
    var trained: ArraySlice<Parameter> { parameters.dropLast() }

    init(values: [Tensor]? = nil) {
        let start = values ?? [
            Tensor([0.8, -1.2, 2.5]), Tensor(shape: [2, 2], scalars: [0.3, -0.7, 1.1, 0.0]), Tensor([5, 6]),
        ]
        parameters = start.map { Parameter($0) }
    }

    /// Sets gradients for update `step` and applies `optimizer`.
    func advance(_ optimizer: any Optimizer, step: Int) {
        for parameter in trained { parameter.gradient = testGradient(of: parameter.value, step: step) }
        optimizer.step()
    }

    var values: [Tensor] { parameters.map(\.value) }
}

/// The optimizers under test, each with every option that keeps state turned on.
enum OptimizerKind: CaseIterable, Sendable {
    case sgd, adam, adamW

    func make(_ parameters: [Parameter], learningRate: Float = 0.05) -> any Optimizer {
        switch self {
        case .sgd: return SGD(parameters, learningRate: learningRate, momentum: 0.9, weightDecay: 0.01, nesterov: true)
        case .adam: return Adam(parameters, learningRate: learningRate, weightDecay: 0.01, amsgrad: true)
        case .adamW: return AdamW(parameters, learningRate: learningRate, amsgrad: true)
        }
    }
}

@Suite struct OptimizerTests {
    @Test(arguments: [
        SGDCase(),
        SGDCase(momentum: 0.9),
        SGDCase(momentum: 0.9, nesterov: true),
        SGDCase(weightDecay: 0.05),
        SGDCase(momentum: 0.8, dampening: 0.3),
        SGDCase(momentum: 0.9, dampening: 0.1, weightDecay: 0.02),
        SGDCase(momentum: 0.7, weightDecay: 0.02, nesterov: true),
    ])
    func sgdFollowsPyTorchFormulas(_ configuration: SGDCase) {
        expectFollowsReference(configuration.optimizer, configuration.reference)
    }

    @Test(arguments: [
        AdamCase(),
        AdamCase(weightDecay: 0.1),
        AdamCase(amsgrad: true),
        AdamCase(weightDecay: 0.1, amsgrad: true),
        AdamCase(decoupled: true),
        AdamCase(weightDecay: 0.1, decoupled: true),
        AdamCase(weightDecay: 0.1, amsgrad: true, decoupled: true),
    ])
    func adamFollowsPyTorchFormulas(_ configuration: AdamCase) {
        expectFollowsReference(configuration.optimizer, configuration.reference)
    }

    @Test func sgdMomentumMatchesHandComputedValues() {
        let plain = Parameter(Tensor([0])), heavyBall = Parameter(Tensor([0])), nesterov = Parameter(Tensor([0]))
        let optimizers = [
            SGD([plain], learningRate: 0.1),
            SGD([heavyBall], learningRate: 0.1, momentum: 0.9),
            SGD([nesterov], learningRate: 0.1, momentum: 0.9, nesterov: true),
        ]
        var history: [[Float]] = []
        for _ in 0..<3 {
            for (parameter, optimizer) in zip([plain, heavyBall, nesterov], optimizers) {
                parameter.gradient = Tensor([1])
                optimizer.step()
            }
            history.append([plain, heavyBall, nesterov].map { $0.value.item })
        }
        // Buffers 1, 1.9, 2.71; Nesterov steps 1.9, 2.71, 3.439.
        expectClose(history.map { $0[0] }, [-0.1, -0.2, -0.3])
        expectClose(history.map { $0[1] }, [-0.1, -0.29, -0.561])
        expectClose(history.map { $0[2] }, [-0.19, -0.461, -0.8049])
    }

    @Test func adamFirstStepMovesByTheLearningRate() {
        // m̂ = g and v̂ = g², so the first update is lr · g / (|g| + ε).
        let parameter = Parameter(Tensor([1, -2]))
        let optimizer = Adam([parameter], learningRate: 0.1)
        parameter.gradient = Tensor([0.5, -3])
        optimizer.step()
        expectClose(parameter.value.scalars, [0.9, -1.9])
    }

    @Test(arguments: OptimizerKind.allCases)
    func frozenAndGradientlessParametersAreUntouched(_ kind: OptimizerKind) {
        let trained = Parameter(Tensor([1, 2])), frozen = Parameter(Tensor([3, 4])), idle = Parameter(Tensor([5, 6]))
        frozen.requiresGradient = false
        frozen.gradient = Tensor([1, 1])
        let optimizer = kind.make([trained, frozen, idle])
        for _ in 0..<2 {
            trained.gradient = Tensor([0.5, -0.5])
            optimizer.step()
        }
        #expect(frozen.value == Tensor([3, 4]) && idle.value == Tensor([5, 6]))
        #expect(trained.value != Tensor([1, 2]))
        let stateKeys = optimizer.stateDict().keys.filter { $0.hasPrefix("state.") }
        #expect(!stateKeys.isEmpty && stateKeys.allSatisfy { $0.hasPrefix("state.0.") })
        #expect(optimizer.stateDict()["state.0.step"] == Tensor(2))
    }

    @Test func zeroGradientsForgetsEveryGradient() {
        let trajectory = Trajectory()
        let optimizer = SGD(trajectory.parameters)
        trajectory.advance(optimizer, step: 1)
        optimizer.zeroGradients()
        #expect(trajectory.parameters.allSatisfy { $0.gradient == nil })
    }

    @Test(arguments: OptimizerKind.allCases)
    func restoredStateContinuesTheSameTrajectoryBitForBit(_ kind: OptimizerKind) throws {
        let original = Trajectory()
        let optimizer = kind.make(original.parameters)
        for step in 1...3 { original.advance(optimizer, step: step) }
        optimizer.learningRate = 0.02
        let saved = optimizer.stateDict()
        let resumed = Trajectory(values: original.values)
        let restored = kind.make(resumed.parameters, learningRate: 0.5)
        try restored.load(stateDict: saved)
        #expect(restored.learningRate == 0.02)
        for step in 4...6 {
            original.advance(optimizer, step: step)
            resumed.advance(restored, step: step)
        }
        #expect(resumed.values == original.values)
        #expect(restored.stateDict() == optimizer.stateDict())
    }

    @Test func stateOfAnotherOptimizerIsRejectedWithEveryKeyAndTheSource() {
        let trajectory = Trajectory()
        let sgd = SGD(trajectory.parameters, momentum: 0.9)
        trajectory.advance(sgd, step: 1)
        let adam = Adam(Trajectory().parameters)
        #expect {
            try adam.load(stateDict: sgd.stateDict(), source: "run.training-state.safetensors")
        } throws: { error in
            guard let error = error as? StateDictError else { return false }
            return error.source == "run.training-state.safetensors"
                && error.unexpectedKeys.contains("state.0.momentum_buffer") && error.unexpectedKeys.contains("hyperparameters.momentum")
                && error.missingKeys.contains("state.1.exp_avg_sq") && error.missingKeys.contains("hyperparameters.eps")
        }
        #expect(adam.stepCounts == [0, 0, 0])
    }

    @Test func stateForParametersOfOtherShapesIsRejected() {
        let trajectory = Trajectory()
        let optimizer = Adam(trajectory.parameters)
        trajectory.advance(optimizer, step: 1)
        let other = Adam(Trajectory(values: [Tensor([1, 2]), Tensor.zeros([2, 2]), Tensor([0])]).parameters)
        #expect {
            try other.load(stateDict: optimizer.stateDict())
        } throws: { error in
            (error as? StateDictError)?.shapeMismatches == [
                .init(key: "state.0.exp_avg", expected: [2], found: [3]),
                .init(key: "state.0.exp_avg_sq", expected: [2], found: [3]),
            ]
        }
    }

    @Test func differentlyConfiguredHyperparameterIsRejected() {
        let trajectory = Trajectory()
        let adam = Adam(trajectory.parameters, weightDecay: 0.01)
        trajectory.advance(adam, step: 1)
        let adamW = AdamW(Trajectory().parameters, weightDecay: 0.01)
        #expect(throws: TrainingStateError.invalidValue(
            key: "hyperparameters.decoupled_weight_decay", value: 0, expected: "1.0 as this optimizer is configured", source: nil)) {
            try adamW.load(stateDict: adam.stateDict())
        }
    }

    @Test func invalidStepCountIsRejectedAndNothingChanges() {
        let trajectory = Trajectory()
        let optimizer = SGD(trajectory.parameters, momentum: 0.9)
        trajectory.advance(optimizer, step: 1)
        var state = optimizer.stateDict()
        state["state.1.step"] = Tensor(1.5)
        state["state.0.momentum_buffer"] = Tensor([7, 7, 7])
        #expect(throws: TrainingStateError.invalidValue(
            key: "state.1.step", value: 1.5, expected: "a whole number of at least 1", source: "file")) {
            try optimizer.load(stateDict: state, source: "file")
        }
        #expect(optimizer.stateDict()["state.0.momentum_buffer"] != Tensor([7, 7, 7]))
    }
}
