import Testing
@testable import FERTensor

@Suite struct BatchNormalizationTests {
    @Test func statisticsAreMeanAndBiasedVariancePerChannel() {
        let x = randomTensor([4, 3, 5, 6], seed: 31)
        let statistics = Tensor.channelStatistics(x)
        let values = x.scalars
        for channel in 0..<3 {
            var samples: [Double] = []
            for n in 0..<4 { samples += values[((n * 3 + channel) * 30)..<((n * 3 + channel) * 30 + 30)].map(Double.init) }
            let mean = samples.reduce(0, +) / Double(samples.count)
            let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)
            #expect(Swift.abs(Double(statistics.mean.scalars[channel]) - mean) < 1e-5)
            #expect(Swift.abs(Double(statistics.variance.scalars[channel]) - variance) < 1e-5)
        }
    }

    @Test func trainingOutputHasZeroMeanUnitVarianceBeforeAffine() {
        let x = Tensor.channelAffine(randomTensor([3, 2, 4, 4], seed: 32), scale: Tensor([3, 0.5]), shift: Tensor([1, -2]))
        let (y, _, _) = Tensor.batchNormTraining(x, weight: nil, bias: nil)
        let statistics = Tensor.channelStatistics(y)
        expectClose(statistics.mean, Tensor.zeros([2]), absolute: 1e-5)
        expectClose(statistics.variance, Tensor.ones([2]), absolute: 1e-3)
    }

    @Test func channelAffineWithReLUClampsNegatives() {
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [1, -1, 2, 3])
        let y = Tensor.channelAffine(x, scale: Tensor([2, -1]), shift: Tensor([0, 1]), relu: true)
        #expect(y.scalars == [2, 0, 0, 0])
    }

    @Test func trainingBackwardMatchesFiniteDifferences() {
        let x = randomTensor([3, 2, 3, 2], seed: 33)
        let gamma = randomTensor([2], seed: 34), beta = randomTensor([2], seed: 35)
        let upstream = randomTensor(x.shape, seed: 36)
        func loss(_ x: Tensor, _ gamma: Tensor, _ beta: Tensor) -> Double {
            Reference.dot(Tensor.batchNormTraining(x, weight: gamma, bias: beta).output, upstream)
        }
        let (_, statistics, inverse) = Tensor.batchNormTraining(x, weight: gamma, bias: beta)
        let gradients = Tensor.batchNormTrainingBackward(
            upstream, input: x, mean: statistics.mean, inverseStandardDeviation: inverse, weight: gamma)
        // Central differences; float32 forward passes limit accuracy to ~1e-2 relative.
        func numeric(_ tensor: Tensor, _ index: Int, _ evaluate: (Tensor) -> Double) -> Double {
            let step: Float = 1e-2
            var plus = tensor, minus = tensor
            plus.withUnsafeMutableBufferPointer { $0[index] += step }
            minus.withUnsafeMutableBufferPointer { $0[index] -= step }
            return (evaluate(plus) - evaluate(minus)) / Double(2 * step)
        }
        for index in [0, 5, 17, 35] {
            let expected = numeric(x, index) { loss($0, gamma, beta) }
            #expect(Swift.abs(Double(gradients.input.scalars[index]) - expected) < 2e-2 * Swift.max(1, Swift.abs(expected)))
        }
        for channel in 0..<2 {
            let weightExpected = numeric(gamma, channel) { loss(x, $0, beta) }
            let biasExpected = numeric(beta, channel) { loss(x, gamma, $0) }
            #expect(Swift.abs(Double(gradients.weight.scalars[channel]) - weightExpected) < 1e-2 * Swift.max(1, Swift.abs(weightExpected)))
            #expect(Swift.abs(Double(gradients.bias.scalars[channel]) - biasExpected) < 1e-2 * Swift.max(1, Swift.abs(biasExpected)))
        }
    }
}
