import Testing
@testable import FERTensor

@Suite struct PoolingTests {
    static let maxCases: [PoolingOptions] = [
        PoolingOptions(kernelSize: 3, stride: 2, padding: 1),                 // ResNet stem pool
        PoolingOptions(kernelSize: 2),                                        // VGG pool
        PoolingOptions(kernelSize: 3, stride: 2, ceilMode: true),
        PoolingOptions(kernelSize: Size2D(height: 2, width: 3), stride: 1, dilation: 2),
        PoolingOptions(kernelSize: 3, stride: 3, padding: 1),
    ]

    @Test(arguments: maxCases) func maxPoolMatchesDirectLoops(_ options: PoolingOptions) {
        let x = randomTensor([2, 3, 9, 8], seed: 21)
        let (expected, expectedIndices) = Reference.maxPool2d(x, options)
        let result = Tensor.maxPool2d(x, options: options)
        expectClose(result.output, expected)
        #expect(result.indices == expectedIndices)
        #expect(Tensor.maxPool2dValues(x, options: options).scalars == result.output.scalars)
    }

    @Test(arguments: maxCases) func maxPoolGradientRoutesToTheMaximum(_ options: PoolingOptions) {
        let x = randomTensor([2, 3, 9, 8], seed: 22)
        let result = Tensor.maxPool2d(x, options: options)
        let upstream = randomTensor(result.output.shape, seed: 23)
        let dx = Tensor.maxPool2dBackward(upstream, indices: result.indices, inputShape: x.shape, options: options)
        var expected = [Float](repeating: 0, count: x.count)
        let plane = 9 * 8, outPlane = result.output.shape[2] * result.output.shape[3]
        for (index, gradient) in upstream.scalars.enumerated() {
            expected[(index / outPlane) * plane + Int(result.indices[index])] += gradient
        }
        expectClose(dx, Tensor(shape: x.shape, scalars: expected))
    }

    @Test func maxPoolKeepsTheFirstOfEqualMaximaAndTheWindowStartForMinusInfinity() {
        var x = Tensor.full([1, 1, 2, 3], value: 1)
        x[0, 0, 0, 0] = 0
        let ties = Tensor.maxPool2d(x, options: PoolingOptions(kernelSize: 2, stride: 1))
        #expect(ties.indices == [1, 1])
        let empty = Tensor.maxPool2d(Tensor.full([1, 1, 2, 2], value: -.infinity), options: PoolingOptions(kernelSize: 2))
        #expect(empty.indices == [0])
    }

    @Test func maxPoolPropagatesNaN() {
        var x = Tensor.zeros([1, 1, 2, 2])
        x[0, 0, 1, 0] = .nan
        #expect(Tensor.maxPool2d(x, options: PoolingOptions(kernelSize: 2)).output.item.isNaN)
        #expect(Tensor.maxPool2dValues(x, options: PoolingOptions(kernelSize: 2)).item.isNaN)
    }

    @Test func averagePoolDivisorsFollowPyTorch() {
        let x = Tensor.ones([1, 1, 3, 3])
        let options = PoolingOptions(kernelSize: 2, stride: 2, padding: 1)
        // Corner windows cover one real element of four padded ones.
        #expect(Tensor.avgPool2d(x, options: options, countIncludePad: true).scalars == [0.25, 0.5, 0.5, 1])
        #expect(Tensor.avgPool2d(x, options: options, countIncludePad: false).scalars == [1, 1, 1, 1])
    }

    @Test(arguments: [true, false]) func averagePoolGradientIsTheAdjoint(_ countIncludePad: Bool) {
        let options = PoolingOptions(kernelSize: 3, stride: 2, padding: 1, ceilMode: true)
        let x = randomTensor([2, 2, 7, 6], seed: 24)
        let y = Tensor.avgPool2d(x, options: options, countIncludePad: countIncludePad)
        let upstream = randomTensor(y.shape, seed: 25)
        expectAdjoint(y, upstream, x, Tensor.avgPool2dBackward(upstream, inputShape: x.shape, options: options,
                                                               countIncludePad: countIncludePad))
    }

    @Test func adaptiveAveragePoolUsesOverlappingBins() {
        // 5 -> 3 bins: [0,2), [1,4), [3,5).
        let x = Tensor(shape: [1, 1, 1, 5], scalars: [1, 2, 3, 4, 5])
        let y = Tensor.adaptiveAvgPool2d(x, outputSize: Size2D(height: 1, width: 3))
        expectClose(y, Tensor(shape: [1, 1, 1, 3], scalars: [1.5, 3, 4.5]))
        let global = Tensor.adaptiveAvgPool2d(randomTensor([2, 3, 4, 5], seed: 26), outputSize: 1)
        #expect(global.shape == [2, 3, 1, 1])
    }

    @Test func adaptiveAveragePoolGradientIsTheAdjoint() {
        let x = randomTensor([2, 3, 7, 5], seed: 27)
        let y = Tensor.adaptiveAvgPool2d(x, outputSize: Size2D(height: 3, width: 2))
        let upstream = randomTensor(y.shape, seed: 28)
        expectAdjoint(y, upstream, x, Tensor.adaptiveAvgPool2dBackward(upstream, inputShape: x.shape))
    }
}
