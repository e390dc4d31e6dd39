import Testing
import FERTensor
@testable import FERNN

@Suite struct NormalizationOperationGradientTests {
    let runningMean = randomTensor([3], seed: 20) * 0.5
    let runningVariance = randomTensor([3], seed: 21).abs() + 0.5

    /// Batch norm is smooth (ε keeps the variance away from 0), so only the
    /// usual Float32 rounding limits the finite differences.
    @Test(arguments: [[4, 3], [2, 3, 5], [2, 3, 3, 4]], [true, false])
    func trainingGradientsMatchFiniteDifferences(_ shape: [Int], affine: Bool) {
        let x = randomTensor(shape, seed: 1) * 2 + 1
        let parameters = affine ? [randomTensor([3], seed: 2) + 1, randomTensor([3], seed: 3)] : []
        expectGradientsMatchFiniteDifferences([x] + parameters) { variables in
            Variable.batchNorm(
                variables[0], weight: affine ? variables[1] : nil, bias: affine ? variables[2] : nil,
                runningMean: runningMean, runningVariance: runningVariance, training: true
            ).output
        }
    }

    @Test(arguments: [[4, 3], [2, 3, 3, 4]]) func evaluationGradientsMatchFiniteDifferences(_ shape: [Int]) {
        let x = randomTensor(shape, seed: 4)
        expectGradientsMatchFiniteDifferences([x, randomTensor([3], seed: 5), randomTensor([3], seed: 6)]) {
            Variable.batchNorm(
                $0[0], weight: $0[1], bias: $0[2], runningMean: runningMean, runningVariance: runningVariance, training: false
            ).output
        }
        expectGradientsMatchFiniteDifferences([x]) {
            Variable.batchNorm(
                $0[0], weight: nil, bias: nil, runningMean: runningMean, runningVariance: runningVariance, training: false
            ).output
        }
    }

    @Test func trainingReturnsBatchStatisticsAndUpdatedRunningStatistics() throws {
        let x = randomTensor([2, 3, 2, 2], seed: 7)
        let weight = randomTensor([3], seed: 8), bias = randomTensor([3], seed: 9)
        let result = Variable.batchNorm(
            Variable(x, requiresGradient: true), weight: Variable(weight), bias: Variable(bias),
            runningMean: runningMean, runningVariance: runningVariance, training: true, momentum: 0.2, epsilon: 1e-3)
        #expect(result.output.value == Tensor.batchNormTraining(x, weight: weight, bias: bias, epsilon: 1e-3).output)
        let mean = x.mean(alongAxes: [0, 2, 3]), unbiased = x.variance(alongAxes: [0, 2, 3], unbiased: true)
        expectClose(try #require(result.batchMean), mean)
        expectClose(try #require(result.batchVariance), unbiased)
        expectClose(result.runningMean, runningMean * 0.8 + mean * 0.2)
        expectClose(result.runningVariance, runningVariance * 0.8 + unbiased * 0.2)
    }

    @Test func evaluationUsesTheRunningStatisticsUnchanged() {
        let x = randomTensor([2, 3, 2, 2], seed: 10)
        let weight = randomTensor([3], seed: 11), bias = randomTensor([3], seed: 12)
        let result = Variable.batchNorm(
            Variable(x), weight: Variable(weight, requiresGradient: true), bias: Variable(bias),
            runningMean: runningMean, runningVariance: runningVariance, training: false, epsilon: 1e-3)
        let shape = [1, 3, 1, 1]
        let expected = (x - runningMean.reshaped(shape)) / (runningVariance.reshaped(shape) + 1e-3).sqrt()
            * weight.reshaped(shape) + bias.reshaped(shape)
        expectClose(result.output.value, expected)
        #expect(result.batchMean == nil && result.batchVariance == nil)
        #expect(result.runningMean == runningMean && result.runningVariance == runningVariance)
    }

    @Test func evaluationSkipsGradientsNobodyNeeds() throws {
        let result = Variable.batchNorm(
            Variable(randomTensor([2, 3], seed: 13)), weight: Variable(Tensor.ones([3]), requiresGradient: true),
            bias: Variable(Tensor.zeros([3])), runningMean: runningMean, runningVariance: runningVariance, training: false)
        #expect(try computedGradients(of: result.output) == [false, true, false])
    }

    @Test(arguments: [[4], [3, 4]], [true, false]) func layerNormGradientsMatchFiniteDifferences(_ normalizedShape: [Int], affine: Bool) {
        let x = randomTensor([2, 3, 4], seed: 14) * 2 + 1
        let parameters = affine ? [randomTensor(normalizedShape, seed: 15) + 1, randomTensor(normalizedShape, seed: 16)] : []
        expectGradientsMatchFiniteDifferences([x] + parameters) { variables in
            Variable.layerNorm(
                variables[0], normalizedShape: normalizedShape,
                weight: affine ? variables[1] : nil, bias: affine ? variables[2] : nil)
        }
    }

    @Test func layerNormNormalizesEachSampleOverTheTrailingAxes() {
        let x = randomTensor([2, 3, 4], seed: 17) * 3 + 2
        let weight = randomTensor([4], seed: 18), bias = randomTensor([4], seed: 19)
        let output = Variable.layerNorm(
            Variable(x), normalizedShape: [4], weight: Variable(weight), bias: Variable(bias), epsilon: 1e-3).value
        let expected = (x - x.mean(alongAxes: [-1], keepingDimensions: true))
            / (x.variance(alongAxes: [-1], keepingDimensions: true) + 1e-3).sqrt() * weight + bias
        expectClose(output, expected, tolerance: 1e-5)
    }
}

/// Fused operations against the compositions they replace: same outputs and
/// the same gradients for every input (the compositions are checked against
/// finite differences above and in the unary and arithmetic suites).
@Suite struct FusedReLUOperationTests {
    /// Outputs and input gradients of `body` under the weighted-sum loss `Σ output ⊙ upstream`.
    func valueAndGradients(_ inputs: [Tensor], upstream: Tensor, _ body: ([Variable]) -> Variable) -> [Tensor] {
        let variables = inputs.map { Variable($0, requiresGradient: true) }
        let output = body(variables)
        (output * Variable(upstream)).sum().backward()
        return [output.value] + variables.map { $0.gradient ?? Tensor.zeros($0.shape) }
    }

    @Test(arguments: [true, false]) func batchNormWithReLUEqualsBatchNormThenReLU(training: Bool) {
        let x = randomTensor([2, 3, 4, 5], seed: 30), gamma = randomTensor([3], seed: 31), beta = randomTensor([3], seed: 32)
        let mean = randomTensor([3], seed: 33) * 0.5, variance = randomTensor([3], seed: 34).abs() + 0.5
        let upstream = randomTensor([2, 3, 4, 5], seed: 35)
        func normalise(_ v: [Variable], relu: Bool) -> Variable {
            Variable.batchNorm(v[0], weight: v[1], bias: v[2], runningMean: mean, runningVariance: variance,
                               training: training, applyingReLU: relu).output
        }
        let fused = valueAndGradients([x, gamma, beta], upstream: upstream) { normalise($0, relu: true) }
        let composed = valueAndGradients([x, gamma, beta], upstream: upstream) { normalise($0, relu: false).relu() }
        #expect(fused[0].scalars.contains(0) && fused[0].scalars.contains { $0 > 0 })
        for (a, b) in zip(fused, composed) { expectClose(a, b) }
    }

    @Test func batchNormLayerAppliesReLUOnRequest() {
        let layer = BatchNorm2d(featureCount: 3)
        let x = Variable(randomTensor([2, 3, 2, 2], seed: 36))
        expectClose(layer(x, applyingReLU: true).value, layer(x).value.relu())
    }

    @Test func addReLUEqualsSumThenReLU() {
        let a = randomTensor([2, 3, 4, 4], seed: 37), b = randomTensor([2, 3, 4, 4], seed: 38)
        let upstream = randomTensor([2, 3, 4, 4], seed: 39)
        let fused = valueAndGradients([a, b], upstream: upstream) { Variable.addReLU($0[0], $0[1]) }
        let composed = valueAndGradients([a, b], upstream: upstream) { ($0[0] + $0[1]).relu() }
        #expect(fused[0].scalars.contains(0) && fused[0].scalars.contains { $0 > 0 })
        for (x, y) in zip(fused, composed) { expectClose(x, y) }
        let broadcast = valueAndGradients([a, randomTensor([3, 1, 1], seed: 40)], upstream: upstream) { Variable.addReLU($0[0], $0[1]) }
        #expect(broadcast[2].shape == [3, 1, 1])
    }
}
