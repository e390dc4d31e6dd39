import Testing
import FERTensor
@testable import FERNN

@Suite struct SoftmaxOperationGradientTests {
    @Test(arguments: [0, 1, 2, -1, -2]) func gradientsMatchFiniteDifferencesAlongEveryAxis(_ axis: Int) {
        let x = randomTensor([2, 3, 4], seed: UInt64(10 + axis)) * 2
        expectGradientsMatchFiniteDifferences([x]) { $0[0].softmax(alongAxis: axis) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].logSoftmax(alongAxis: axis) }
    }

    @Test func vectorAndScalarGradientsMatchFiniteDifferences() {
        expectGradientsMatchFiniteDifferences([randomTensor([6], seed: 1)]) { $0[0].softmax() }
        expectGradientsMatchFiniteDifferences([randomTensor([6], seed: 1)]) { $0[0].logSoftmax() }
        expectGradientsMatchFiniteDifferences([randomTensor([], seed: 2)]) { $0[0].softmax() }
        expectGradientsMatchFiniteDifferences([randomTensor([], seed: 2)]) { $0[0].logSoftmax() }
    }

    @Test func valuesEqualTheTensorOperations() {
        let x = randomTensor([3, 5], seed: 3)
        #expect(Variable(x, requiresGradient: true).softmax(alongAxis: 0).value == x.softmax(alongAxis: 0))
        #expect(Variable(x, requiresGradient: true).logSoftmax().value == x.logSoftmax())
    }

    @Test func largeLogitsGiveFiniteGradients() throws {
        // exp(1000) overflows; the backward uses only the normalised output.
        let x = Variable(Tensor(shape: [2, 3], scalars: [1000, 0, -1000, 500, 501, 499]), requiresGradient: true)
        (x.logSoftmax() * Variable(Tensor([1, 2, 3]))).sum().backward()
        let gradient = try #require(x.gradient)
        #expect(gradient.scalars.allSatisfy { $0.isFinite })
        // Each row's gradient sums to 0 (softmax is shift invariant).
        expectClose(gradient.sum(alongAxes: [1]), Tensor.zeros([2]), tolerance: 1e-5)
        let y = Variable(x.value, requiresGradient: true)
        (y.softmax() * Variable(Tensor([1, 2, 3]))).sum().backward()
        #expect(y.gradient?.scalars.allSatisfy { $0.isFinite } == true)
    }
}
