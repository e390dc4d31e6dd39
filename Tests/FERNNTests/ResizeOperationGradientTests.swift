import Testing
import FERTensor
@testable import FERNN

@Suite struct ResizeOperationGradientTests {
    static let modes: [ResizeMode] = [.nearest, .bilinear(), .bilinear(alignCorners: true)]

    /// Resizing is linear in the input, so finite differences are exact up to rounding.
    @Test(arguments: modes, [Size2D(height: 7, width: 9), Size2D(height: 3, width: 2), Size2D(height: 4, width: 10)])
    func gradientsMatchFiniteDifferences(_ mode: ResizeMode, size: Size2D) {
        expectGradientsMatchFiniteDifferences([randomTensor([2, 2, 4, 5], seed: 1)]) { $0[0].resized(to: size, mode: mode) }
    }

    @Test(arguments: modes) func valuesEqualTheTensorKernel(_ mode: ResizeMode) {
        let x = randomTensor([1, 3, 5, 4], seed: 2)
        #expect(Variable(x, requiresGradient: true).resized(to: Size2D(height: 8, width: 3), mode: mode).value
            == Tensor.resize(x, to: Size2D(height: 8, width: 3), mode: mode))
    }
}
