import Testing
import FERTensor
@testable import FERNN

/// Finite-difference settings shared by all gradient checks.
///
/// Forward passes run in Float32, so central differences carry a rounding
/// error of about `eps32 * |f| / step` (≈ 1e-5 relative for step 1e-2) and a
/// truncation error of `O(step²)`; gradients agree to about 1e-3 relative,
/// and the checks allow 1e-2 relative plus 1e-3 absolute.
enum GradientCheck {
    static let step: Float = 1e-2
    static let relativeTolerance: Double = 1e-2
    static let absoluteTolerance: Double = 1e-3

    /// Whether an autograd gradient and a finite-difference estimate agree within the tolerances.
    static func agrees(analytic: Double, numeric: Double) -> Bool {
        Swift.abs(numeric - analytic) <= absoluteTolerance + relativeTolerance * Swift.max(Swift.abs(numeric), Swift.abs(analytic))
    }
}

/// A tensor of standard-normal samples fixed by `seed`.
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor.randomNormal(shape, using: &generator)
}

/// Checks autograd against central finite differences for
/// `L = sum(f(inputs) * probe)` with a fixed random probe, on every element of
/// every input (or on `samplesPerInput` seeded positions of large inputs).
func expectGradientsMatchFiniteDifferences(
    _ inputs: [Tensor], samplesPerInput: Int = 64, step: Float = GradientCheck.step,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ function: ([Variable]) -> Variable
) {
    let variables = inputs.map { Variable($0, requiresGradient: true) }
    let output = function(variables)
    let probe = randomTensor(output.shape, seed: 99)
    (output * Variable(probe)).sum().backward()

    func objective(_ values: [Tensor]) -> Double {
        let result = noGrad { function(values.map { Variable($0) }) }.value
        return zip(result.scalars, probe.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    for (index, input) in inputs.enumerated() {
        guard let gradient = variables[index].gradient else {
            Issue.record("input \(index) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        #expect(gradient.shape == input.shape, sourceLocation: sourceLocation)
        var generator = RandomGenerator(seed: UInt64(index))
        let positions = input.count <= samplesPerInput
            ? Array(0..<input.count)
            : (0..<samplesPerInput).map { _ in Int(generator.next() % UInt64(input.count)) }
        for position in positions {
            var plus = inputs, minus = inputs
            plus[index].withUnsafeMutableBufferPointer { $0[position] += step }
            minus[index].withUnsafeMutableBufferPointer { $0[position] -= step }
            let numeric = (objective(plus) - objective(minus)) / Double(2 * step)
            let analytic = Double(gradient.scalars[position])
            if !GradientCheck.agrees(analytic: analytic, numeric: numeric) {
                Issue.record(
                    "input \(index) element \(position): autograd \(analytic), finite differences \(numeric)",
                    sourceLocation: sourceLocation)
                return
            }
        }
    }
}

/// Checks a layer's gradients with respect to its input and to every one of
/// its parameters against central finite differences of
/// `L = sum(layer(input) * probe)`.
func expectLayerGradientsMatchFiniteDifferences(
    _ layer: Module, input: Tensor, samplesPerTensor: Int = 24,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ apply: (Variable) -> Variable
) {
    let parameters = layer.parameters
    let originals = parameters.map(\.value)
    layer.zeroGradients()
    let inputVariable = Variable(input, requiresGradient: true)
    let output = apply(inputVariable)
    let probe = randomTensor(output.shape, seed: 77)
    (output * Variable(probe)).sum().backward()
    let analytic = [inputVariable.gradient] + parameters.map(\.gradient)

    func objective(input: Tensor) -> Double {
        let result = noGrad { apply(Variable(input)) }.value
        return zip(result.scalars, probe.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    for tensorIndex in 0...parameters.count {
        guard let gradient = analytic[tensorIndex] else {
            Issue.record("tensor \(tensorIndex) (0 = input) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        let base = tensorIndex == 0 ? input : originals[tensorIndex - 1]
        var generator = RandomGenerator(seed: UInt64(tensorIndex))
        let positions = base.count <= samplesPerTensor
            ? Array(0..<base.count) : (0..<samplesPerTensor).map { _ in Int(generator.next() % UInt64(base.count)) }
        for position in positions {
            func shifted(_ delta: Float) -> Double {
                var value = base
                value.withUnsafeMutableBufferPointer { $0[position] += delta }
                if tensorIndex == 0 { return objective(input: value) }
                parameters[tensorIndex - 1].value = value
                defer { parameters[tensorIndex - 1].value = originals[tensorIndex - 1] }
                return objective(input: input)
            }
            let numeric = (shifted(GradientCheck.step) - shifted(-GradientCheck.step)) / Double(2 * GradientCheck.step)
            let expected = Double(gradient.scalars[position])
            if !GradientCheck.agrees(analytic: expected, numeric: numeric) {
                Issue.record("tensor \(tensorIndex) (0 = input) element \(position): autograd \(expected), finite differences \(numeric)",
                             sourceLocation: sourceLocation)
                break
            }
        }
    }
}
