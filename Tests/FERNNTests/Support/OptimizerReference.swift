import Foundation
import Testing
import FERTensor
@testable import FERNN

/// Tolerance for comparing a Float32 optimizer with a Double reference over a
/// few steps: each step rounds a handful of Float operations (about 6e-8
/// relative each), so trajectories agree to about 1e-6 relative.
enum OptimizerTolerance {
    static let relative = 1e-5
    static let absolute = 1e-6
}

/// Expects `actual` to equal `expected` within `OptimizerTolerance`, element by element.
func expectClose(
    _ actual: [Float], _ expected: [Double], _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (index, (found, wanted)) in zip(actual, expected).enumerated() {
        let allowed = OptimizerTolerance.absolute + OptimizerTolerance.relative * Swift.abs(wanted)
        if !(Swift.abs(Double(found) - wanted) <= allowed) {
            Issue.record("\(comment) element \(index): \(found), expected \(wanted)", sourceLocation: sourceLocation)
        }
    }
}

/// The gradient used to drive optimizer tests at update `step` (from 1): that
/// of a quadratic bowl plus a drift, so it depends on the trajectory and changes
/// each step, and 100 times smaller every third step, so that Adam's second
/// moment falls and AMSGrad's maximum matters.
func testGradient(of values: [Double], step: Int) -> [Double] {
    let scale = step.isMultiple(of: 3) ? 0.01 : 1
    return values.enumerated().map { index, value in
        scale * ((0.5 + 0.25 * Double(index % 3)) * (value - 0.3 * Double(index)) + 0.05 * Double(step) - 0.1)
    }
}

/// `testGradient` in Float, for the optimizer under test.
func testGradient(of values: Tensor, step: Int) -> Tensor {
    Tensor(shape: values.shape, scalars: testGradient(of: values.scalars.map(Double.init), step: step).map(Float.init))
}

/// An optimizer written the way its documentation states it, one scalar at a time in Double.
protocol ReferenceOptimizer {
    /// Applies one update to `values` given `gradient`.
    mutating func step(_ values: inout [Double], gradient: [Double])
}

/// `torch.optim.SGD` as its documentation's pseudo-code.
struct ReferenceSGD: ReferenceOptimizer {
    var learningRate = 0.1, momentum = 0.0, dampening = 0.0, weightDecay = 0.0, nesterov = false
    var buffer: [Double]? = nil

    mutating func step(_ values: inout [Double], gradient: [Double]) {
        var direction = zip(gradient, values).map { $0 + weightDecay * $1 }
        if momentum != 0 {
            let previous = buffer
            let updated = previous.map { zip($0, direction).map { momentum * $0 + (1 - dampening) * $1 } } ?? direction
            buffer = updated
            direction = nesterov ? zip(direction, updated).map { $0 + momentum * $1 } : updated
        }
        values = zip(values, direction).map { $0 - learningRate * $1 }
    }
}

/// `torch.optim.Adam` / `AdamW` as their documentation's pseudo-code.
struct ReferenceAdam: ReferenceOptimizer {
    var learningRate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0.0
    var amsgrad = false, decoupled = false
    var step = 0
    var firstMoment: [Double] = [], secondMoment: [Double] = [], maximumSecondMoment: [Double] = []

    mutating func step(_ values: inout [Double], gradient: [Double]) {
        if step == 0 {
            firstMoment = Array(repeating: 0, count: values.count)
            secondMoment = firstMoment
            maximumSecondMoment = firstMoment
        }
        step += 1
        for index in values.indices {
            var g = gradient[index]
            if decoupled { values[index] *= 1 - learningRate * weightDecay } else { g += weightDecay * values[index] }
            firstMoment[index] = beta1 * firstMoment[index] + (1 - beta1) * g
            secondMoment[index] = beta2 * secondMoment[index] + (1 - beta2) * g * g
            maximumSecondMoment[index] = Swift.max(maximumSecondMoment[index], secondMoment[index])
            let corrected1 = firstMoment[index] / (1 - pow(beta1, Double(step)))
            let corrected2 = (amsgrad ? maximumSecondMoment[index] : secondMoment[index]) / (1 - pow(beta2, Double(step)))
            values[index] -= learningRate * corrected1 / (corrected2.squareRoot() + epsilon)
        }
    }
}
