import Testing
@testable import FERTensor

@Suite struct BatchInvarianceTests {
    /// Convolutions of several shapes (the stem, 3x3 same-padding, strided, 1x1, grouped) and a linear map.
    static let convolutions: [(input: [Int], weight: [Int], options: ConvolutionOptions)] = [
        ([3, 32, 32], [64, 3, 7, 7], ConvolutionOptions(stride: 2, padding: 3)),
        ([16, 13, 13], [32, 16, 3, 3], ConvolutionOptions(padding: 1)),
        ([16, 9, 9], [8, 16, 3, 3], ConvolutionOptions(stride: 2, padding: 1)),
        ([32, 7, 7], [24, 32, 1, 1], ConvolutionOptions()),
        ([8, 6, 5], [8, 2, 3, 3], ConvolutionOptions(padding: 1, groups: 4)),
    ]

    @Test func underBatchInvarianceASampleConvolvesToTheSameBitsAloneAndInABatch() {
        for (index, shape) in Self.convolutions.enumerated() {
            let batch = randomTensor([37] + shape.input, seed: UInt64(index))
            let weight = randomTensor(shape.weight, seed: 100 + UInt64(index))
            let all = batchInvariant { Tensor.conv2d(batch, weight: weight, options: shape.options) }
            for sample in [0, 17, 36] {
                let alone = batchInvariant { Tensor.conv2d(batch.sliced(axis: 0, range: sample..<(sample + 1)), weight: weight, options: shape.options) }
                #expect(all.sliced(axis: 0, range: sample..<(sample + 1)).scalars == alone.scalars, "convolution \(index), sample \(sample)")
            }
            let usual = Tensor.conv2d(batch, weight: weight, options: shape.options)
            #expect((usual - all).abs().max().item <= 1e-4 * Swift.max(1, usual.abs().max().item), "same values up to rounding")
        }
    }

    @Test func underBatchInvarianceEachRowOfAMatrixProductIsTheSameAloneAndInABatch() {
        let rows = randomTensor([50, 512], seed: 7), weight = randomTensor([7, 512], seed: 8)
        let all = batchInvariant { Tensor.matmul(rows, weight, transposeB: true) }
        for row in [0, 23, 49] {
            let alone = batchInvariant { Tensor.matmul(rows.sliced(axis: 0, range: row..<(row + 1)), weight, transposeB: true) }
            #expect(all.sliced(axis: 0, range: row..<(row + 1)).scalars == alone.scalars, "row \(row)")
        }
        let transposed = batchInvariant { Tensor.matmul(rows.transposed(), weight, transposeA: true, transposeB: true) }
        #expect(transposed.scalars == all.scalars)
        #expect(BatchInvariance.isEnabled == false, "the setting ends with its scope")
    }
}
