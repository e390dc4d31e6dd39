import Foundation
import Testing
@testable import FERTensor

@Suite struct UnaryMathTests {
    static let shapes: [[Int]] = [[], [1], [7], [3, 5], [2, 1, 4], [1 << 17]]

    /// Checks `operation` against `reference` applied element by element, in Double.
    func checkElementwise(
        _ name: String, _ operation: (Tensor) -> Tensor, _ reference: (Double) -> Double,
        domain: (Tensor) -> Tensor = { $0 }, relative: Float = Tolerance.reordered,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (index, shape) in Self.shapes.enumerated() {
            let input = domain(randomTensor(shape, seed: UInt64(index)) * 3)
            let expected = Naive.tensor(shape) { Float(reference(Double(Naive.value(input, at: $0)))) }
            expectClose(operation(input), expected, absolute: 1e-6, relative: relative, "\(name) \(shape)", sourceLocation: sourceLocation)
        }
    }

    @Test func expMatchesScalarExp() { checkElementwise("exp", { $0.exp() }, Foundation.exp) }
    @Test func logMatchesScalarLog() { checkElementwise("log", { $0.log() }, Foundation.log, domain: { $0.abs() + 0.01 }) }
    @Test func sqrtMatchesScalarSquareRoot() { checkElementwise("sqrt", { $0.sqrt() }, Foundation.sqrt, domain: { $0.abs() }) }
    @Test func rsqrtMatchesReciprocalSquareRoot() {
        checkElementwise("rsqrt", { $0.rsqrt() }, { 1 / Foundation.sqrt($0) }, domain: { $0.abs() + 0.01 })
    }
    @Test func tanhMatchesScalarTanh() { checkElementwise("tanh", { $0.tanh() }, Foundation.tanh) }
    @Test func sigmoidMatchesLogisticFunction() { checkElementwise("sigmoid", { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }) }
    @Test func reluZeroesNegatives() { checkElementwise("relu", { $0.relu() }, { Swift.max($0, 0) }) }
    @Test func reluAndAddReLULetNaNThroughAsPyTorchDoes() {
        // A NaN that ReLU turned into 0 would hide a diverged run from its loss.
        let values: [Float] = [.nan, -1, 2, -.infinity, .infinity, 0]
        for (output, name) in [
            (Tensor(values).relu(), "relu"), (Tensor.addReLU(Tensor(values), Tensor.zeros([6])), "addReLU"),
        ] {
            let scalars = output.scalars
            #expect(scalars[0].isNaN, "\(name)(nan)")
            #expect(Array(scalars[1...]) == [0, 2, 0, .infinity, 0], "\(name)")
        }
    }
    @Test func absMatchesMagnitude() { checkElementwise("abs", { $0.abs() }, { Swift.abs($0) }) }
    @Test func squaredMatchesSelfProduct() { checkElementwise("squared", { $0.squared() }, { $0 * $0 }) }
    @Test func reciprocalMatchesOneOver() {
        checkElementwise("reciprocal", { $0.reciprocal() }, { 1 / $0 }, domain: { $0.abs() + 0.1 })
    }
    @Test func powMatchesScalarPow() {
        for exponent: Float in [2, 3, 0.5, -1.5, 0] {
            checkElementwise("pow \(exponent)", { $0.pow(exponent) }, { Foundation.pow($0, Double(exponent)) },
                             domain: { $0.abs() + 0.1 }, relative: 1e-5)
        }
        #expect(Tensor([-2, 3]).pow(3).scalars == [-8, 27])
    }
    @Test func exactGELUMatchesErfFormula() {
        checkElementwise("gelu", { $0.gelu() }, { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) })
    }
    @Test func tanhGELUMatchesTanhFormula() {
        checkElementwise("gelu tanh", { $0.gelu(approximation: .tanh) }, {
            0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0)))
        })
    }

    @Test func geluMatchesPyTorchValues() {
        // torch.nn.functional.gelu(torch.tensor([-1., 0., 1., 2.])) and approximate='tanh'.
        expectClose(Tensor([-1, 0, 1, 2]).gelu(), Tensor([-0.15865526, 0, 0.8413447, 1.9544997]))
        expectClose(Tensor([-1, 0, 1, 2]).gelu(approximation: .tanh), Tensor([-0.15880801, 0, 0.8411920, 1.9545977]))
    }

    @Test func sigmoidStaysFiniteForLargeInputs() {
        let values = Tensor([-1000, -100, -20, 0, 20, 100, 1000]).sigmoid().scalars
        #expect(values.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        #expect(values[0] == 0 && values[3] == 0.5 && values[6] == 1)
        #expect(values[2] > 0)
    }

    @Test func clampedAppliesOnlyGivenBounds() {
        let x = Tensor([-3, -1, 0, 2, 5])
        #expect(x.clamped(min: -1, max: 2).scalars == [-1, -1, 0, 2, 2])
        #expect(x.clamped(min: 0).scalars == [0, 0, 0, 2, 5])
        #expect(x.clamped(max: 0).scalars == [-3, -1, 0, 0, 0])
        #expect(x.clamped().scalars == x.scalars)
        #expect(x.clamped(min: 3, max: 1).scalars == [1, 1, 1, 1, 1])
        let large = randomTensor([1 << 17], seed: 3)
        #expect(large.clamped(min: -0.5, max: 0.5) == Naive.tensor(large.shape) { Swift.min(Swift.max(Naive.value(large, at: $0), -0.5), 0.5) })
    }

    @Test func unaryOpsKeepShape() {
        let x = randomTensor([2, 1, 3], seed: 4)
        for result in [x.exp(), x.tanh(), x.relu(), x.gelu(), -x, x.clamped(min: 0)] {
            #expect(result.shape == [2, 1, 3])
        }
    }
}
