import Testing
import FERTensor
@testable import FERNN

@Suite struct PoolingOperationGradientTests {
    static let maxOptions: [PoolingOptions] = [
        .init(kernelSize: 2),
        .init(kernelSize: 3, stride: 2, padding: 1),
        .init(kernelSize: 3, stride: 2, ceilMode: true),
        .init(kernelSize: 2, stride: 1, dilation: 2),
        .init(kernelSize: Size2D(height: 2, width: 3), stride: Size2D(height: 1, width: 2), padding: Size2D(height: 1, width: 1)),
    ]

    static let averageOptions: [PoolingOptions] = [
        .init(kernelSize: 2),
        .init(kernelSize: 3, stride: 2, padding: 1),
        .init(kernelSize: 3, stride: 2, padding: 1, ceilMode: true),
    ]

    @Test(arguments: maxOptions) func maxPoolGradientsMatchFiniteDifferences(_ options: PoolingOptions) {
        // Distinct values 0.1 apart: every window has one maximum, which a
        // step of 0.01 cannot displace.
        expectGradientsMatchFiniteDifferences([distinctTensor([2, 2, 7, 6], seed: 1)]) {
            Variable.maxPool2d($0[0], options: options)
        }
    }

    @Test(arguments: averageOptions, [true, false])
    func avgPoolGradientsMatchFiniteDifferences(_ options: PoolingOptions, countIncludePad: Bool) {
        expectGradientsMatchFiniteDifferences([randomTensor([2, 2, 7, 6], seed: 2)]) {
            Variable.avgPool2d($0[0], options: options, countIncludePad: countIncludePad)
        }
    }

    @Test(arguments: [Size2D(1), Size2D(height: 2, width: 3), Size2D(height: 4, width: 4)])
    func adaptiveAvgPoolGradientsMatchFiniteDifferences(_ size: Size2D) {
        expectGradientsMatchFiniteDifferences([randomTensor([2, 3, 5, 7], seed: 3)]) {
            Variable.adaptiveAvgPool2d($0[0], outputSize: size)
        }
    }

    @Test func valuesEqualTheTensorKernels() {
        let x = randomTensor([2, 3, 6, 6], seed: 4), v = Variable(x, requiresGradient: true)
        let options = PoolingOptions(kernelSize: 3, stride: 2, padding: 1, ceilMode: true)
        #expect(Variable.maxPool2d(v, options: options).value == Tensor.maxPool2d(x, options: options).output)
        #expect(Variable.avgPool2d(v, options: options, countIncludePad: false).value
            == Tensor.avgPool2d(x, options: options, countIncludePad: false))
        #expect(Variable.adaptiveAvgPool2d(v, outputSize: 2).value == Tensor.adaptiveAvgPool2d(x, outputSize: 2))
    }

    @Test func maxPoolSendsEachGradientToTheWindowMaximum() {
        let x = Variable(Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 0, 3, 4, 8, 7]), requiresGradient: true)
        Variable.maxPool2d(x, options: .init(kernelSize: 2)).backward(seed: Tensor(shape: [1, 1, 1, 2], scalars: [10, 20]))
        #expect(x.gradient?.scalars == [0, 10, 0, 0, 0, 0, 20, 0])
    }
}
