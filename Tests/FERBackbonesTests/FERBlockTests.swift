import FERNN
import FERTensor
import FERTestSupport
import Testing
@testable import FERBackbones

/// The building blocks of the FER networks: each against its definition,
/// with finite-difference gradient checks.
@Suite struct FERBlockTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal(shape, using: &generator)
    }

    static func expectClose(_ a: Tensor, _ b: Tensor, _ tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.shape == b.shape, sourceLocation: sourceLocation)
        guard a.shape == b.shape else { return }
        let difference = (a - b).abs().max().item, scale = Swift.max(1, b.abs().max().item)
        #expect(difference <= tolerance * scale, "differ by \(difference)", sourceLocation: sourceLocation)
    }

    @Test func pointwiseFeatureSelectionKeepsTheMeanOfMaximumAndMedianOfThreeGroups() {
        // Channels a0 a1 | b0 b1 | c0 c1 of one 1x2 image.
        let input = Tensor(shape: [1, 6, 1, 2], scalars: [1, 5, -2, 0, 3, 4, 7, -1, 2, 9, 1, -3])
        let output = PointwiseFeatureSelection()(Variable(input)).value
        // Channel 0: (1, 3, 2) -> (3 + 2) / 2, (5, 4, 9) -> (9 + 5) / 2; channel 1: (-2, 7, 1) -> (7 + 1) / 2, (0, -1, -3) -> (0 - 1) / 2.
        #expect(output.shape == [1, 2, 1, 2])
        #expect(output.scalars == [2.5, 7, 4, -0.5])
        let selection = PointwiseFeatureSelection()
        expectModuleGradientsMatchFiniteDifferences(selection, inputs: [Self.random([2, 9, 3, 3], seed: 1)]) { selection($0[0]) }
    }

    @Test func channelShuffleInterleavesTheGroups() {
        let shuffle = ChannelShuffle(groups: 2)
        let output = shuffle(Variable(Tensor(shape: [1, 6, 1, 1], scalars: [0, 1, 2, 3, 4, 5]))).value
        #expect(output.scalars == [0, 3, 1, 4, 2, 5])
        #expect(ChannelShuffle(groups: 3)(Variable(Tensor(shape: [1, 6, 1, 1], scalars: [0, 1, 2, 3, 4, 5]))).value.scalars == [0, 2, 4, 1, 3, 5])
        expectModuleGradientsMatchFiniteDifferences(shuffle, inputs: [Self.random([2, 4, 2, 3], seed: 2)]) { shuffle($0[0]) }
    }

    @Test func depthwiseSeparableConvolutionIsADepthwiseThenAPointwiseConvolution() {
        var generator = RandomGenerator(seed: 3)
        let layer = DepthwiseSeparableConv2d(
            inputChannels: 4, outputChannels: 6, kernelSize: 3, padding: 2, dilation: 2, generator: &generator)
        #expect(layer.depthwise.weight.value.shape == [4, 1, 3, 3] && layer.depthwise.bias == nil)
        #expect(layer.pointwise.weight.value.shape == [6, 4, 1, 1] && layer.parameterCount == 4 * 9 + 6 * 4 + 6)
        let input = Self.random([2, 4, 7, 6], seed: 4)
        let depthwise = Tensor.conv2d(
            input, weight: layer.depthwise.weight.value, options: ConvolutionOptions(padding: 2, dilation: 2, groups: 4))
        let expected = Tensor.conv2d(depthwise, weight: layer.pointwise.weight.value, bias: layer.pointwise.bias!.value)
        Self.expectClose(layer(Variable(input)).value, expected)
        expectModuleGradientsMatchFiniteDifferences(layer, inputs: [input]) { layer($0[0]) }
    }

    @Test func massAttentionMultipliesTheInputByItsChannelAndSpatialMaps() throws {
        var generator = RandomGenerator(seed: 5)
        let attention = MassAttention(channels: 8, ratio: 4, generator: &generator)
        let input = Self.random([2, 8, 8, 8], seed: 6)
        // The definition, from the layers' weights.
        let linear1 = try #require(attention.channel.layers[0] as? Linear), linear2 = try #require(attention.channel.layers[2] as? Linear)
        let pooled = input.mean(alongAxes: [2, 3])
        let hidden = (Tensor.matmul(pooled, linear1.weight.value, transposeB: true) + linear1.bias!.value).relu()
        let channelMap = (Tensor.matmul(hidden, linear2.weight.value, transposeB: true) + linear2.bias!.value).sigmoid()
        var spatial = input.mean(alongAxes: [1], keepingDimensions: true)
        for index in [0, 2] {
            let convolution = try #require(attention.spatial.layers[index] as? Conv2d)
            spatial = Tensor.conv2d(spatial, weight: convolution.weight.value, bias: convolution.bias!.value, options: .init(stride: 2, padding: 1)).relu()
        }
        for index in [4, 6] {
            let transposed = try #require(attention.spatial.layers[index] as? ConvTranspose2d)
            spatial = Tensor.convTranspose2d(
                spatial, weight: transposed.weight.value, bias: transposed.bias!.value, options: .init(stride: 2, padding: 1),
                outputPadding: 1)
            spatial = index == 4 ? spatial.relu() : spatial.sigmoid()
        }
        #expect(channelMap.shape == [2, 8] && spatial.shape == [2, 1, 8, 8])
        let expected = input * channelMap.reshaped([2, 8, 1, 1]) * spatial
        Self.expectClose(attention(Variable(input)).value, expected)
        #expect(attention.parameterCount == (8 * 2 + 2) + (2 * 8 + 8) + (2 * 9 + 2) + (4 * 2 * 9 + 4) + (4 * 4 * 9 + 4) + (4 * 9 + 1))

        // Sides that do not divide by 4 get a resized spatial map of the input's size.
        #expect(attention.spatialMap(Variable(Self.random([1, 8, 7, 5], seed: 7))).shape == [1, 1, 7, 5])
        expectModuleGradientsMatchFiniteDifferences(attention, inputs: [Self.random([2, 8, 4, 4], seed: 8)]) { attention($0[0]) }
    }

    @Test func hybridAttentionReweightsByChannelThenBySpatialMap() throws {
        var generator = RandomGenerator(seed: 9)
        let attention = HybridAttention(channels: 16, ratio: 4, generator: &generator)
        #expect(attention.stateDictKeys == ["channel_mlp.0.weight", "channel_mlp.0.bias", "channel_mlp.2.weight", "channel_mlp.2.bias", "spatial_conv.weight", "spatial_conv.bias"])
        let input = Self.random([2, 16, 5, 6], seed: 10)
        let linear1 = try #require(attention.channelMLP.layers[0] as? Linear), linear2 = try #require(attention.channelMLP.layers[2] as? Linear)
        func mlp(_ x: Tensor) -> Tensor {
            let hidden = (Tensor.matmul(x, linear1.weight.value, transposeB: true) + linear1.bias!.value).relu()
            return Tensor.matmul(hidden, linear2.weight.value, transposeB: true) + linear2.bias!.value
        }
        let channelMap = (mlp(input.mean(alongAxes: [2, 3])) + mlp(input.max(alongAxes: [2, 3]))).sigmoid()
        let weighted = input * channelMap.reshaped([2, 16, 1, 1])
        let described = Tensor.concatenated(
            [weighted.mean(alongAxes: [1], keepingDimensions: true), weighted.max(alongAxes: [1], keepingDimensions: true)], axis: 1)
        let spatialMap = Tensor.conv2d(
            described, weight: attention.spatialConvolution.weight.value, bias: attention.spatialConvolution.bias!.value,
            options: .init(padding: 3)).sigmoid()
        Self.expectClose(attention(Variable(input)).value, weighted * spatialMap)
        expectModuleGradientsMatchFiniteDifferences(attention, inputs: [Self.random([2, 16, 3, 3], seed: 11)]) { attention($0[0]) }
    }

    @Test func pyramidConvolutionConcatenatesLevelsOfGrowingKernelsAndGroups() {
        var generator = RandomGenerator(seed: 12)
        let pyramid = PyramidConv2d(inputChannels: 16, outputChannels: 64, stride: 2, generator: &generator)
        #expect(pyramid.stateDictKeys == ["levels.0.weight", "levels.1.weight", "levels.2.weight", "levels.3.weight"])
        #expect(pyramid.levels.map(\.weight.value.shape) == [[16, 16, 3, 3], [16, 4, 5, 5], [16, 2, 7, 7], [16, 1, 9, 9]])
        let input = Self.random([2, 16, 9, 10], seed: 13)
        let expected = Tensor.concatenated(zip(pyramid.levels, [(3, 1), (5, 4), (7, 8), (9, 16)]).map { level, shape in
            Tensor.conv2d(input, weight: level.weight.value, options: .init(stride: 2, padding: Size2D(shape.0 / 2), groups: shape.1))
        }, axis: 1)
        let output = pyramid(Variable(input)).value
        #expect(output.shape == [2, 64, 5, 5])
        Self.expectClose(output, expected)
        let small = PyramidConv2d(inputChannels: 4, outputChannels: 8, kernelSizes: [3, 5], groups: [1, 2], generator: &generator)
        expectModuleGradientsMatchFiniteDifferences(small, inputs: [Self.random([1, 4, 6, 5], seed: 14)]) { small($0[0]) }
    }

    @Test func lanmsffBlocksHaveGradientsThatMatchFiniteDifferences() {
        var generator = RandomGenerator(seed: 15)
        let convolutionBlock = LANMSFFConvolutionBlock(inputChannels: 2, channels: 6, generator: &generator)
        expectModuleGradientsMatchFiniteDifferences(convolutionBlock, inputs: [Self.random([2, 2, 6, 6], seed: 16)]) { convolutionBlock($0[0]) }
        let stage = TwoPathStage(inputChannels: 4, channels: 6, splitsInput: true, separable: true, generator: &generator)
        expectModuleGradientsMatchFiniteDifferences(stage, inputs: [Self.random([2, 4, 5, 5], seed: 17)]) { stage($0[0]) }
        let twoPath = LANMSFFTwoPathBlock(inputChannels: 6, channels: 8, generator: &generator)
        #expect(twoPath(Variable(Self.random([2, 6, 8, 8], seed: 18))).shape == [2, 8, 4, 4])
        expectModuleGradientsMatchFiniteDifferences(twoPath, inputs: [Self.random([2, 6, 4, 4], seed: 19)], samplesPerTensor: 4) { twoPath($0[0]) }
    }
}
