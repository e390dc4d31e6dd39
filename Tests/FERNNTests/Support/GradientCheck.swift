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
            let allowed = GradientCheck.absoluteTolerance + GradientCheck.relativeTolerance * Swift.max(Swift.abs(numeric), Swift.abs(analytic))
            if !(Swift.abs(numeric - analytic) <= allowed) {
                Issue.record(
                    "input \(index) element \(position): autograd \(analytic), finite differences \(numeric)",
                    sourceLocation: sourceLocation)
                return
            }
        }
    }
}
