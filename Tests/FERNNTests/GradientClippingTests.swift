import Testing
import FERTensor
@testable import FERNN

@Suite struct GradientClippingTests {
    /// Gradients [3, −4] and [12] (2-norm 13, 1-norm 19, ∞-norm 12) and a parameter without one.
    private func parameters() -> [Parameter] {
        let first = Parameter(Tensor([1, 1])), second = Parameter(Tensor([1])), third = Parameter(Tensor([1]))
        first.gradient = Tensor([3, -4])
        second.gradient = Tensor([12])
        return [first, second, third]
    }

    private func gradients(_ parameters: [Parameter]) -> [Float] {
        parameters.compactMap(\.gradient).flatMap(\.scalars)
    }

    @Test(arguments: [(Float(2), 13.0), (1, 19), (.infinity, 12)])
    func normClippingScalesToTheLimitAndReturnsTheNorm(normType: Float, norm: Double) {
        let parameters = parameters()
        let total = clipGradientNorm(parameters, maxNorm: 6.5, normType: normType)
        expectClose([total], [norm])
        let coefficient = 6.5 / (norm + 1e-6)
        expectClose(gradients(parameters), [3, -4, 12].map { $0 * coefficient })
        #expect(parameters[2].gradient == nil)
    }

    @Test func normClippingLeavesSmallGradientsUnchanged() {
        let parameters = parameters()
        #expect(clipGradientNorm(parameters, maxNorm: 13.5) == 13)
        #expect(gradients(parameters) == [3, -4, 12])
    }

    @Test func normOfNoGradientsIsZero() {
        #expect(clipGradientNorm([Parameter(Tensor([1]))], maxNorm: 1) == 0)
    }

    @Test func valueClippingClampsEveryElement() {
        let parameters = parameters()
        clipGradientValues(parameters, maxValue: 3.5)
        #expect(gradients(parameters) == [3, -3.5, 3.5])
    }
}
