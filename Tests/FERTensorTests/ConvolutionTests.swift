import Testing
@testable import FERTensor

/// One convolution configuration under test.
struct ConvolutionCase: CustomTestStringConvertible, Sendable {
    var input: [Int]
    var weight: [Int]
    var options: ConvolutionOptions
    var testDescription: String { "x\(input) w\(weight) \(options)" }
}

@Suite struct ConvolutionTests {
    static let cases: [ConvolutionCase] = [
        .init(input: [1, 3, 5, 5], weight: [4, 3, 1, 1], options: .init()),                              // pointwise, batch 1
        .init(input: [3, 4, 7, 5], weight: [6, 4, 3, 3], options: .init(padding: 1)),                     // non-square
        .init(input: [2, 5, 9, 8], weight: [3, 5, 3, 3], options: .init(stride: 2, padding: 1)),          // ResNet downsample 3x3
        .init(input: [2, 4, 8, 8], weight: [6, 4, 1, 1], options: .init(stride: 2)),                      // ResNet downsample 1x1
        .init(input: [2, 3, 9, 9], weight: [4, 3, 3, 3], options: .init(padding: 2, dilation: 2)),        // dilation 2
        .init(input: [2, 6, 6, 7], weight: [4, 3, 3, 3], options: .init(padding: 1, groups: 2)),          // grouped
        .init(input: [2, 4, 7, 7], weight: [8, 1, 3, 3], options: .init(stride: 2, padding: 1, groups: 4)), // depthwise x2
        .init(input: [1, 3, 6, 5], weight: [3, 1, 3, 3], options: .init(padding: 2, dilation: 2, groups: 3)), // depthwise, batch 1
        .init(input: [1, 3, 11, 11], weight: [5, 3, 7, 7], options: .init(stride: 2, padding: 3)),        // stem
        .init(input: [8, 6, 3, 3], weight: [5, 6, 3, 3], options: .init(padding: 1)),                     // multi-sample blocks
        .init(input: [3, 5, 2, 2], weight: [7, 5, 1, 1], options: .init()),                               // pointwise blocks
        .init(input: [1, 2, 4, 6], weight: [3, 2, 2, 3], options: .init(stride: Size2D(height: 1, width: 2), padding: Size2D(height: 1, width: 0))),
        .init(input: [2, 2, 9, 37], weight: [3, 2, 3, 3], options: .init(stride: 2, padding: 1)),         // wide strided rows
        // Several samples per GEMM with planes of 25 and 16 positions (read in place by the packed kernel):
        .init(input: [5, 6, 5, 5], weight: [8, 3, 3, 3], options: .init(padding: 1, groups: 2)),
        .init(input: [6, 4, 8, 8], weight: [36, 4, 1, 1], options: .init(stride: 2)),
        // A ResNet downsampling shortcut on odd planes wider than 16 (25x25 -> 13x13):
        .init(input: [3, 5, 25, 25], weight: [8, 5, 1, 1], options: .init(stride: 2)),
        // ... on planes of exactly one vector of outputs (16 -> 8) and of two and a tail (39x34 -> 20x17):
        .init(input: [2, 3, 16, 16], weight: [4, 3, 1, 1], options: .init(stride: 2)),
        .init(input: [2, 3, 39, 34], weight: [4, 3, 1, 1], options: .init(stride: 2)),
        // ... and on planes 8 to 15 wide, whose rows' vector stores run into the next row (13x13, 15x9, 8x15):
        .init(input: [2, 3, 13, 13], weight: [4, 3, 1, 1], options: .init(stride: 2)),
        .init(input: [2, 3, 15, 9], weight: [4, 3, 1, 1], options: .init(stride: 2)),
        .init(input: [1, 2, 8, 15], weight: [3, 2, 1, 1], options: .init(stride: 2)),
        // Stride-2 rows lowered a vector at a time: padded edges on both sides, rows of 1 to 3 vectors, dilation:
        .init(input: [2, 3, 9, 35], weight: [4, 3, 7, 7], options: .init(stride: 2, padding: 3)),         // stem, 18 wide
        .init(input: [1, 3, 13, 27], weight: [2, 3, 3, 3], options: .init(stride: 2, padding: 2, dilation: 2)),
        .init(input: [1, 2, 6, 70], weight: [3, 2, 5, 5], options: .init(stride: Size2D(height: 1, width: 2), padding: 2)),
        // Wide stride-2 windows lowered by phases: 294 column rows, sliced inside a kernel row; odd shifts from dilation:
        .init(input: [1, 6, 12, 40], weight: [3, 6, 7, 7], options: .init(stride: 2, padding: 3)),
        .init(input: [2, 2, 15, 33], weight: [2, 2, 5, 5], options: .init(stride: 2, padding: 3, dilation: 2)),
        // Weight gradients computed transposed (32-192 output channels per group, one sample per GEMM): blocks in
        // parallel; one block with GEMMs split across workers and two row slices; groups; a 3x3 "same" window:
        .init(input: [2, 3, 46, 46], weight: [32, 3, 7, 7], options: .init(stride: 2, padding: 3)),
        .init(input: [1, 6, 46, 46], weight: [40, 6, 7, 7], options: .init(stride: 2, padding: 3)),
        .init(input: [3, 4, 24, 24], weight: [64, 2, 3, 3], options: .init(padding: 1, groups: 2)),
        .init(input: [2, 8, 24, 24], weight: [64, 8, 3, 3], options: .init(padding: 1)),
        // A weight gradient whose column rows take several L2-sized slices: dY packed once for all of them:
        .init(input: [2, 256, 25, 25], weight: [8, 256, 3, 3], options: .init(padding: 1)),
        // Input gradients as a forward convolution with the flipped kernel (stride 1): dilation, a rectangular
        // kernel and unequal padding; then padding wider than the window, which keeps the col2im route:
        .init(input: [2, 5, 9, 11], weight: [4, 5, 3, 5], options: .init(padding: Size2D(height: 2, width: 1), dilation: 2)),
        .init(input: [1, 4, 6, 6], weight: [3, 4, 3, 3], options: .init(padding: 3)),
        // The stem at 100x100 (stride-2 phase planes too large for the stack on CPUs without AVX-512):
        .init(input: [2, 3, 100, 100], weight: [4, 3, 7, 7], options: .init(stride: 2, padding: 3)),
    ]

    @Test(arguments: cases) func forwardMatchesDirectLoops(_ c: ConvolutionCase) {
        let x = randomTensor(c.input, seed: 1), w = randomTensor(c.weight, seed: 2)
        let bias = randomTensor([c.weight[0]], seed: 3)
        let expected = Reference.conv2d(x, w, bias: bias, c.options)
        expectClose(Tensor.conv2d(x, weight: w, bias: bias, options: c.options), expected,
                    absolute: Tolerance.accumulated, relative: Tolerance.accumulated)
    }

    @Test(arguments: cases) func epilogueEqualsTheSeparateAffineResidualAndReLU(_ c: ConvolutionCase) {
        let x = randomTensor(c.input, seed: 4), w = randomTensor(c.weight, seed: 5)
        let channels = c.weight[0]
        let scale = randomTensor([channels], seed: 6), shift = randomTensor([channels], seed: 7)
        let plain = Reference.conv2d(x, w, bias: nil, c.options)
        let residual = randomTensor(plain.shape, seed: 8)
        let affine = plain * scale.reshaped([1, channels, 1, 1]) + shift.reshaped([1, channels, 1, 1])
        for (added, relu) in [(nil, false), (residual, true), (residual, false), (nil, true)] as [(Tensor?, Bool)] {
            let epilogue = ConvolutionEpilogue(scale: scale, shift: shift, residual: added, appliesReLU: relu)
            let sum = added.map { affine + $0 } ?? affine
            expectClose(Tensor.conv2d(x, weight: w, options: c.options, epilogue: epilogue), relu ? sum.relu() : sum,
                        absolute: Tolerance.accumulated, relative: Tolerance.accumulated)
        }
    }

    @Test func batchNormEpilogueFoldsTheConvolutionBias() {
        let x = randomTensor([2, 3, 6, 6], seed: 9), w = randomTensor([4, 3, 3, 3], seed: 10)
        let bias = randomTensor([4], seed: 11), gamma = randomTensor([4], seed: 12), beta = randomTensor([4], seed: 13)
        let mean = randomTensor([4], seed: 14), variance = randomTensor([4], seed: 15).abs() + 0.5
        let epilogue = ConvolutionEpilogue.batchNorm(
            weight: gamma, bias: beta, runningMean: mean, runningVariance: variance, epsilon: 1e-5, convolutionBias: bias)
        let convolved = Tensor.conv2d(x, weight: w, bias: bias, options: .init(padding: 1))
        let view = { (t: Tensor) in t.reshaped([1, 4, 1, 1]) }
        let expected = (convolved - view(mean)) / view((variance + 1e-5).sqrt()) * view(gamma) + view(beta)
        expectClose(Tensor.conv2d(x, weight: w, options: .init(padding: 1), epilogue: epilogue), expected)
    }

    @Test(arguments: cases) func inputGradientIsTheAdjoint(_ c: ConvolutionCase) {
        let x = randomTensor(c.input, seed: 4), w = randomTensor(c.weight, seed: 5)
        let y = Tensor.conv2d(x, weight: w, options: c.options)
        let upstream = randomTensor(y.shape, seed: 6)
        let dx = Tensor.conv2dBackwardInput(upstream, weight: w, inputShape: c.input, options: c.options)
        expectAdjoint(y, upstream, x, dx)
    }

    @Test func strideOneInputGradientsUseTheFlippedKernel() {
        func route(_ input: [Int], _ weight: [Int], _ options: ConvolutionOptions) -> ConvolutionOptions? {
            ConvolutionGeometry(inputShape: input, weightShape: weight, options: options).inputGradientConvolution
        }
        #expect(route([2, 64, 25, 25], [64, 64, 3, 3], .init(padding: 1)) == .init(padding: 1))
        #expect(route([2, 5, 9, 11], [4, 5, 3, 5], .init(padding: Size2D(height: 2, width: 1), dilation: 2))
            == .init(padding: Size2D(height: 2, width: 7), dilation: 2))
        #expect(route([2, 64, 25, 25], [128, 64, 3, 3], .init(stride: 2, padding: 1)) == nil)  // strided
        #expect(route([2, 16, 25, 25], [32, 16, 3, 3], .init(padding: 1)) == nil)  // larger columns
        #expect(route([1, 4, 6, 6], [3, 4, 3, 3], .init(padding: 3)) == nil)  // padding beyond the window
        #expect(route([1, 4, 6, 6], [3, 4, 1, 1], .init()) == nil)  // pointwise: dY is already the columns
        #expect(route([32, 512, 4, 4], [512, 512, 3, 3], .init(padding: 1)) == nil)  // weight as large as the columns
        #expect(route([32, 256, 7, 7], [256, 256, 3, 3], .init(padding: 1)) == .init(padding: 1))
    }

    @Test func forwardBlocksOnOpenBLASHoldOneSampleOfAWidePlane() {
        var wide = ConvolutionGeometry(inputShape: [32, 64, 25, 25], weightShape: [128, 64, 3, 3],
                                       options: .init(stride: 2, padding: 1))  // 13x13 outputs
        wide.usesPackedKernel = false
        #expect(wide.forwardSamplesPerBlock == 1)
        wide.usesPackedKernel = true
        #expect(wide.forwardSamplesPerBlock == wide.samplesPerBlock(targetColumns: 512, balanced: true))
        #expect(wide.forwardSamplesPerBlock == 4)
        var narrow = ConvolutionGeometry(inputShape: [32, 256, 7, 7], weightShape: [512, 256, 3, 3],
                                         options: .init(stride: 2, padding: 1))  // 4x4 outputs
        narrow.usesPackedKernel = false
        #expect(narrow.forwardSamplesPerBlock == narrow.samplesPerBlock(targetColumns: 512, balanced: true))
    }

    @Test func flippedAdjointKernelSwapsChannelsAndReversesTaps() {
        let w = randomTensor([4, 3, 2, 3], seed: 31)
        let flipped = Tensor.flippedAdjointKernel(w, groups: 2)
        #expect(flipped.shape == [6, 2, 2, 3])
        for group in 0..<2 {
            for o in 0..<2 {
                for c in 0..<3 {
                    for kh in 0..<2 {
                        for kw in 0..<3 {
                            #expect(flipped[group * 3 + c, o, kh, kw] == w[group * 2 + o, c, 1 - kh, 2 - kw])
                        }
                    }
                }
            }
        }
    }

    @Test(arguments: cases) func weightGradientIsTheAdjoint(_ c: ConvolutionCase) {
        let x = randomTensor(c.input, seed: 7), w = randomTensor(c.weight, seed: 8)
        let y = Tensor.conv2d(x, weight: w, options: c.options)
        let upstream = randomTensor(y.shape, seed: 9)
        let dw = Tensor.conv2dBackwardWeight(upstream, input: x, weightShape: c.weight, options: c.options)
        expectAdjoint(y, upstream, w, dw)
    }

    @Test func biasGradientSumsOverBatchAndSpace() {
        let upstream = randomTensor([3, 4, 5, 2], seed: 10)
        let values = upstream.scalars
        let expected = (0..<4).map { channel in
            (0..<3).reduce(Float(0)) { total, sample in
                total + values[((sample * 4 + channel) * 10)..<((sample * 4 + channel) * 10 + 10)].reduce(0, +)
            }
        }
        expectClose(Tensor.conv2dBackwardBias(upstream), Tensor(expected), absolute: 1e-4)
    }

    @Test func conv1dEqualsConv2dOnAHeightOnePlane() {
        let x = randomTensor([2, 4, 11], seed: 11), w = randomTensor([6, 2, 3], seed: 12)
        let y = Tensor.conv1d(x, weight: w, stride: 2, padding: 1, dilation: 2, groups: 2)
        let expected = Reference.conv2d(
            x.reshaped([2, 4, 1, 11]), w.reshaped([6, 2, 1, 3]), bias: nil,
            ConvolutionOptions(stride: Size2D(height: 1, width: 2), padding: Size2D(height: 0, width: 1),
                               dilation: Size2D(height: 1, width: 2), groups: 2))
        expectClose(y, expected.reshaped([2, 6, -1]), absolute: Tolerance.accumulated)
        let upstream = randomTensor(y.shape, seed: 13)
        expectAdjoint(y, upstream, x, Tensor.conv1dBackwardInput(upstream, weight: w, inputShape: x.shape,
                                                                 stride: 2, padding: 1, dilation: 2, groups: 2))
        expectAdjoint(y, upstream, w, Tensor.conv1dBackwardWeight(upstream, input: x, weightShape: w.shape,
                                                                  stride: 2, padding: 1, dilation: 2, groups: 2))
    }

    @Test func transposedConvolutionScattersEveryTap() {
        let options = ConvolutionOptions(stride: 2, padding: 1, groups: 1)
        let x = randomTensor([2, 3, 4, 5], seed: 14), w = randomTensor([3, 2, 3, 3], seed: 15)
        let bias = randomTensor([2], seed: 16)
        let y = Tensor.convTranspose2d(x, weight: w, bias: bias, options: options, outputPadding: 1)
        #expect(y.shape == [2, 2, 8, 10])
        // Reference: every input element scatters input * weight into the output.
        var expected = [Double](repeating: 0, count: y.count)
        let xs = x.scalars, ws = w.scalars, bs = bias.scalars
        for n in 0..<2 { for c in 0..<3 { for i in 0..<4 { for j in 0..<5 { for o in 0..<2 { for a in 0..<3 { for b in 0..<3 {
            let oy = i * 2 - 1 + a, ox = j * 2 - 1 + b
            guard oy >= 0, oy < 8, ox >= 0, ox < 10 else { continue }
            expected[((n * 2 + o) * 8 + oy) * 10 + ox] +=
                Double(xs[((n * 3 + c) * 4 + i) * 5 + j]) * Double(ws[((c * 2 + o) * 3 + a) * 3 + b])
        } } } } } } }
        for index in expected.indices { expected[index] += Double(bs[(index / 80) % 2]) }
        expectClose(y, Tensor(shape: y.shape, scalars: expected.map { Float($0) }), absolute: Tolerance.accumulated)
    }

    @Test func transposedConvolutionGradientsAreAdjoints() {
        let options = ConvolutionOptions(stride: 2, padding: 1, dilation: 1, groups: 2)
        let x = randomTensor([2, 4, 3, 3], seed: 17), w = randomTensor([4, 3, 3, 3], seed: 18)
        let y = Tensor.convTranspose2d(x, weight: w, options: options)
        let upstream = randomTensor(y.shape, seed: 19)
        expectAdjoint(y, upstream, x, Tensor.convTranspose2dBackwardInput(upstream, weight: w, options: options))
        expectAdjoint(y, upstream, w, Tensor.convTranspose2dBackwardWeight(upstream, input: x, weightShape: w.shape, options: options))
    }
}
