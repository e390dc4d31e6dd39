import Testing
import FERTensor
@testable import FERNN

/// Finite-difference checks of every layer, with respect to its input and
/// every parameter (PyTorch agreement is in `LayerGoldenTests`).
@Suite struct LayerGradientTests {
    var generator = RandomGenerator(seed: 5)

    @Test mutating func linearAndConvolutionLayers() {
        let linear = Linear(inputFeatures: 4, outputFeatures: 3, generator: &generator)
        expectLayerGradientsMatchFiniteDifferences(linear, input: randomTensor([2, 5, 4], seed: 1)) { linear($0) }
        let conv = Conv2d(inputChannels: 4, outputChannels: 6, kernelSize: 3, stride: 2, padding: 1, groups: 2, generator: &generator)
        expectLayerGradientsMatchFiniteDifferences(conv, input: randomTensor([2, 4, 5, 6], seed: 2)) { conv($0) }
        let depthwise = Conv2d(inputChannels: 3, outputChannels: 6, kernelSize: 3, padding: 2, dilation: 2, groups: 3, generator: &generator)
        expectLayerGradientsMatchFiniteDifferences(depthwise, input: randomTensor([1, 3, 5, 5], seed: 3)) { depthwise($0) }
        let conv1d = Conv1d(inputChannels: 2, outputChannels: 3, kernelSize: 3, padding: 1, generator: &generator)
        expectLayerGradientsMatchFiniteDifferences(conv1d, input: randomTensor([2, 2, 7], seed: 4)) { conv1d($0) }
        let transposed = ConvTranspose2d(inputChannels: 3, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1,
                                         outputPadding: 1, generator: &generator)
        expectLayerGradientsMatchFiniteDifferences(transposed, input: randomTensor([2, 3, 3, 3], seed: 5)) { transposed($0) }
    }

    @Test func normalizationLayers() {
        let batchNorm = BatchNorm2d(featureCount: 3)
        batchNorm.weight!.value = Tensor([1.5, 0.5, -1])
        batchNorm.bias!.value = Tensor([0.1, 0.2, 0.3])
        expectLayerGradientsMatchFiniteDifferences(batchNorm, input: randomTensor([3, 3, 2, 2], seed: 6)) { batchNorm($0) }
        batchNorm.eval()
        expectLayerGradientsMatchFiniteDifferences(batchNorm, input: randomTensor([2, 3, 2, 2], seed: 7)) { batchNorm($0) }
        let layerNorm = LayerNorm(normalizedShape: [2, 3])
        layerNorm.weight!.value = randomTensor([2, 3], seed: 8)
        expectLayerGradientsMatchFiniteDifferences(layerNorm, input: randomTensor([4, 2, 3], seed: 9)) { layerNorm($0) }
    }

    @Test mutating func attentionLayer() {
        let attention = MultiheadAttention(embedding: 6, headCount: 2, generator: &generator)
        let memory = Variable(randomTensor([2, 4, 6], seed: 10))
        expectLayerGradientsMatchFiniteDifferences(attention, input: randomTensor([2, 3, 6], seed: 11)) {
            attention(query: $0, key: memory, value: memory)
        }
    }

    @Test func parameterFreeLayers() {
        // Distinct values 0.1 apart keep max pooling's choice stable under the finite-difference step.
        let distinct = Tensor(shape: [1, 2, 5, 5], scalars: (0..<50).map { Float(($0 * 37) % 50) * 0.1 })
        let layers: [any UnaryLayer] = [
            MaxPool2d(kernelSize: 3, stride: 2, padding: 1), AvgPool2d(kernelSize: 2, ceilMode: true),
            AdaptiveAvgPool2d(outputSize: 2), Upsample(scaleFactor: 2, mode: .bilinear()), Flatten(),
            GELU(), Sigmoid(), Tanh(), Softmax(axis: 1),
        ]
        for layer in layers {
            expectLayerGradientsMatchFiniteDifferences(layer, input: distinct) { layer($0) }
        }
    }

    @Test mutating func dropoutScalesKeptElementsAndIsIdentityInEvaluation() {
        let dropout = Dropout(probability: 0.25, generator: &generator)
        let output = dropout(Variable(Tensor.ones([1000]))).value.scalars
        #expect(Set(output).isSubset(of: [0, Float(1) / 0.75]))
        let kept = Float(output.filter { $0 > 0 }.count) / 1000
        #expect(Swift.abs(kept - 0.75) < 0.05)
        dropout.eval()
        #expect(dropout(Variable(Tensor.ones([10]))).value.scalars == [Float](repeating: 1, count: 10))
        dropout.train()
        dropout.probability = 0
        #expect(dropout(Variable(Tensor.ones([10]))).value.scalars == [Float](repeating: 1, count: 10))
    }
}
