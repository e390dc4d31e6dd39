import Testing
import FERTensor
@testable import FERNN

/// One convolution configuration under test.
struct ConvolutionGradientCase: CustomTestStringConvertible, Sendable {
    var input: [Int]
    var weight: [Int]
    var options: ConvolutionOptions
    var bias: Bool
    var testDescription: String { "x\(input) w\(weight) \(options)\(bias ? " bias" : "")" }
}

@Suite struct ConvolutionOperationGradientTests {
    static let cases: [ConvolutionGradientCase] = [
        .init(input: [2, 3, 5, 5], weight: [4, 3, 1, 1], options: .init(), bias: true),                     // 1x1
        .init(input: [2, 3, 7, 6], weight: [4, 3, 3, 3], options: .init(stride: 2, padding: 1), bias: true), // downsample
        .init(input: [1, 2, 7, 7], weight: [3, 2, 3, 3], options: .init(padding: 2, dilation: 2), bias: false),
        .init(input: [2, 4, 5, 5], weight: [6, 2, 3, 3], options: .init(padding: 1, groups: 2), bias: true),
        .init(input: [2, 3, 6, 5], weight: [6, 1, 3, 3], options: .init(stride: 2, padding: 1, groups: 3), bias: false), // depthwise x2
        .init(input: [1, 2, 4, 6], weight: [3, 2, 2, 3],
              options: .init(stride: Size2D(height: 1, width: 2), padding: Size2D(height: 1, width: 0)), bias: true),
    ]

    static let transposedCases: [ConvolutionGradientCase] = [
        .init(input: [2, 3, 3, 4], weight: [3, 2, 3, 3], options: .init(stride: 2, padding: 1), bias: true),
        .init(input: [1, 4, 3, 3], weight: [4, 1, 3, 3], options: .init(stride: 2, padding: 1, dilation: 2, groups: 2), bias: false),
        .init(input: [1, 2, 4, 4], weight: [2, 3, 2, 2], options: .init(), bias: true),
    ]

    /// Convolutions are bilinear in input and weight (and linear in the bias),
    /// so finite differences are exact up to rounding.
    @Test(arguments: cases) func conv2dGradientsMatchFiniteDifferences(_ c: ConvolutionGradientCase) {
        let tensors = [randomTensor(c.input, seed: 1), randomTensor(c.weight, seed: 2)]
            + (c.bias ? [randomTensor([c.weight[0]], seed: 3)] : [])
        expectGradientsMatchFiniteDifferences(tensors) {
            Variable.conv2d($0[0], weight: $0[1], bias: c.bias ? $0[2] : nil, options: c.options)
        }
    }

    @Test(arguments: transposedCases, [Size2D(0), Size2D(height: 1, width: 0)])
    func convTranspose2dGradientsMatchFiniteDifferences(_ c: ConvolutionGradientCase, outputPadding: Size2D) {
        guard outputPadding.height < c.options.stride.height else { return }
        let tensors = [randomTensor(c.input, seed: 4), randomTensor(c.weight, seed: 5)]
            + (c.bias ? [randomTensor([c.weight[1] * c.options.groups], seed: 6)] : [])
        expectGradientsMatchFiniteDifferences(tensors) {
            Variable.convTranspose2d(
                $0[0], weight: $0[1], bias: c.bias ? $0[2] : nil, options: c.options, outputPadding: outputPadding)
        }
    }

    @Test func conv1dGradientsMatchFiniteDifferences() {
        let x = randomTensor([2, 4, 9], seed: 7), w = randomTensor([6, 2, 3], seed: 8), b = randomTensor([6], seed: 9)
        expectGradientsMatchFiniteDifferences([x, w, b]) {
            Variable.conv1d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, dilation: 2, groups: 2)
        }
        expectGradientsMatchFiniteDifferences([x, randomTensor([3, 4, 1], seed: 10)]) { Variable.conv1d($0[0], weight: $0[1]) }
    }

    @Test func valuesEqualTheTensorKernels() {
        let x = randomTensor([2, 4, 6, 6], seed: 11), w = randomTensor([4, 2, 3, 3], seed: 12), b = randomTensor([4], seed: 13)
        let options = ConvolutionOptions(stride: 2, padding: 1, groups: 2)
        let (vx, vw, vb) = (Variable(x), Variable(w, requiresGradient: true), Variable(b))
        #expect(Variable.conv2d(vx, weight: vw, bias: vb, options: options).value
            == Tensor.conv2d(x, weight: w, bias: b, options: options))
        #expect(Variable.convTranspose2d(vx, weight: vw, bias: vb, options: options, outputPadding: 1).value
            == Tensor.convTranspose2d(x, weight: w, bias: b, options: options, outputPadding: 1))
        let x1 = x.reshaped([2, 4, 36]), w1 = w.reshaped([4, 2, 9])
        #expect(Variable.conv1d(Variable(x1), weight: Variable(w1), bias: vb, stride: 3, padding: 2, groups: 2).value
            == Tensor.conv1d(x1, weight: w1, bias: b, stride: 3, padding: 2, groups: 2))
    }

    @Test func inputsThatNeedNoGradientGetNoWork() throws {
        // A first layer: data input, trained weight and bias. The backward rule
        // must not compute the input gradient (the costliest backward pass).
        let x = Variable(randomTensor([1, 2, 5, 5], seed: 14))
        let w = Variable(randomTensor([3, 2, 3, 3], seed: 15), requiresGradient: true)
        let b = Variable(randomTensor([3], seed: 16), requiresGradient: true)
        let conv = Variable.conv2d(x, weight: w, bias: b, options: .init(padding: 1))
        #expect(conv.node?.inputs.map { $0 != nil } == [false, true, true])
        #expect(try computedGradients(of: conv) == [false, true, true])
        // A frozen weight with a trained input: only the input gradient.
        let frozen = Variable.conv2d(Variable(x.value, requiresGradient: true), weight: w.detached())
        #expect(try computedGradients(of: frozen) == [true, false])
        let transposed = Variable.convTranspose2d(x, weight: Variable(randomTensor([2, 3, 3, 3], seed: 17), requiresGradient: true))
        #expect(try computedGradients(of: transposed) == [false, true])
        let line = Variable.conv1d(Variable(randomTensor([1, 2, 5], seed: 18)), weight: w.reshaped([3, 2, 9]).sliced(axis: 2, range: 0..<3), bias: b.detached())
        #expect(try computedGradients(of: line) == [false, true, false])
    }
}
