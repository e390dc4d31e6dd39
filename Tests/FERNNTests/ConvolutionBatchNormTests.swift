import FERNN
import FERTensor
import Testing

@Suite struct ConvolutionBatchNormTests {
    /// A 3x3 convolution with bias and a batch norm with non-trivial running statistics.
    static func layers() -> (Conv2d, BatchNorm2d) {
        var generator = RandomGenerator(seed: 31)
        let convolution = Conv2d(inputChannels: 3, outputChannels: 5, kernelSize: 3, padding: 1, generator: &generator)
        let norm = BatchNorm2d(featureCount: 5)
        norm.weight?.value = randomTensor([5], seed: 32)
        norm.bias?.value = randomTensor([5], seed: 33)
        norm.runningMean.value = randomTensor([5], seed: 34)
        norm.runningVariance.value = randomTensor([5], seed: 35).abs() + 0.5
        return (convolution, norm)
    }

    @Test(arguments: [(false, false), (false, true), (true, true), (true, false)])
    func foldedInferenceEqualsTheLayersOneAfterAnother(_ withResidual: Bool, _ relu: Bool) {
        let (convolution, norm) = Self.layers()
        norm.eval()
        let input = Variable(randomTensor([4, 3, 6, 6], seed: 36))
        let residual = withResidual ? Variable(randomTensor([4, 5, 6, 6], seed: 37)) : nil
        var expected = norm(convolution(input))
        if let residual { expected = expected + residual }
        if relu { expected = expected.relu() }
        let folded = noGrad { convolution(input, normalizedBy: norm, adding: residual, applyingReLU: relu) }
        #expect(folded.node == nil)
        expectClose(folded.value, expected.value, tolerance: 1e-4)
        // With gradients recorded, the layers run one by one and backpropagate.
        let recorded = convolution(input, normalizedBy: norm, adding: residual, applyingReLU: relu)
        #expect(recorded.node != nil)
        expectClose(recorded.value, expected.value, tolerance: 1e-4)
    }

    @Test func trainingModeUsesBatchStatisticsAndUpdatesTheRunningOnes() {
        let (convolution, norm) = Self.layers()
        let before = norm.runningMean.value
        let input = Variable(randomTensor([4, 3, 6, 6], seed: 38))
        let output = noGrad { convolution(input, normalizedBy: norm) }
        let perChannelMean = output.value.mean(alongAxes: [0, 2, 3])
        expectClose(perChannelMean, norm.bias!.value, tolerance: 1e-4)
        #expect(norm.runningMean.value.scalars != before.scalars)
    }
}
