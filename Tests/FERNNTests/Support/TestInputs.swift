import Testing
import FERTensor
@testable import FERNN

/// Standard-normal samples moved at least `margin` away from each of `kinks`
/// (points where the function under test is not differentiable), so that a
/// finite-difference step of `GradientCheck.step` never crosses one.
func randomTensor(_ shape: [Int], seed: UInt64, awayFrom kinks: [Float], margin: Float = 0.05) -> Tensor {
    let values = randomTensor(shape, seed: seed).scalars.map { value -> Float in
        guard let kink = kinks.first(where: { Swift.abs(value - $0) < margin }) else { return value }
        return value < kink ? kink - margin : kink + margin
    }
    return Tensor(shape: shape, scalars: values)
}

/// Distinct values `spacing` apart in a seeded random order, centred on 0:
/// maxima and minima are unique and stay so under a finite-difference step
/// smaller than `spacing / 2`, so max reductions and max pooling have no ties.
func distinctTensor(_ shape: [Int], seed: UInt64, spacing: Float = 0.1) -> Tensor {
    let count = Tensor.elementCount(of: shape)
    var generator = RandomGenerator(seed: seed)
    let order = Array(0..<count).shuffled(using: &generator)
    return Tensor(shape: shape, scalars: order.map { (Float($0) - Float(count) / 2) * spacing })
}

/// Checks two tensors agree elementwise within `tolerance` (absolute and relative).
func expectClose(
    _ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    for (index, (a, e)) in zip(actual.scalars, expected.scalars).enumerated()
    where !(Swift.abs(a - e) <= tolerance * (1 + Swift.abs(e))) {
        Issue.record("element \(index): \(a), expected \(e)", sourceLocation: sourceLocation)
        return
    }
}

/// Which inputs of the operation that produced `output` its backward rule
/// computes a gradient for, given a gradient of ones (the rule is run
/// directly, without a backward pass).
func computedGradients(of output: Variable) throws -> [Bool] {
    let rule = try #require(output.node?.backward, "the output recorded no operation")
    return rule(Tensor.ones(output.shape)).map { $0 != nil }
}
