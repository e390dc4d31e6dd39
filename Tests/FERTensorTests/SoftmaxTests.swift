import Foundation
import Testing
@testable import FERTensor

@Suite struct SoftmaxTests {
    static let cases: [([Int], Int)] = [
        ([7], -1), ([3, 5], -1), ([3, 5], 0), ([2, 3, 4], 1), ([2, 3, 4], -3), ([1, 4, 1], 1), ([4, 1], -1),
        ([], 0), ([64, 1500], -1), ([3, 200, 300], 1), ([2, 3, 0], 1),
    ]

    /// Naive softmax in Double along `axis`: exponentials over their sum.
    func naiveSoftmax(_ tensor: Tensor, axis: Int, logarithmic: Bool) -> Tensor {
        let axis = tensor.rank == 0 ? 0 : (axis < 0 ? axis + tensor.rank : axis)
        return Naive.tensor(tensor.shape) { index in
            guard tensor.rank > 0 else { return logarithmic ? 0 : 1 }
            var source = index
            let values = (0..<tensor.shape[axis]).map { position -> Double in
                source[axis] = position
                return Double(Naive.value(tensor, at: source))
            }
            let maximum = values.max()!
            let total = values.reduce(0.0) { $0 + Foundation.exp($1 - maximum) }
            let own = Double(Naive.value(tensor, at: index)) - maximum
            return Float(logarithmic ? own - Foundation.log(total) : Foundation.exp(own) / total)
        }
    }

    @Test func softmaxMatchesNaiveAlongEveryAxis() {
        for (index, (shape, axis)) in Self.cases.enumerated() {
            let tensor = randomTensor(shape, seed: UInt64(index)) * 4
            expectClose(tensor.softmax(alongAxis: axis), naiveSoftmax(tensor, axis: axis, logarithmic: false),
                        absolute: 1e-6, relative: 1e-5, "\(shape) axis \(axis)")
        }
    }

    @Test func logSoftmaxMatchesNaiveAlongEveryAxis() {
        for (index, (shape, axis)) in Self.cases.enumerated() {
            let tensor = randomTensor(shape, seed: UInt64(index)) * 4
            expectClose(tensor.logSoftmax(alongAxis: axis), naiveSoftmax(tensor, axis: axis, logarithmic: true),
                        absolute: 1e-5, relative: 1e-5, "\(shape) axis \(axis)")
        }
    }

    @Test func softmaxRowsSumToOne() {
        let tensor = randomTensor([6, 10], seed: 3) * 10
        expectClose(tensor.softmax().sum(alongAxes: [1]), Tensor.ones([6]))
        expectClose(tensor.softmax(alongAxis: 0).sum(alongAxes: [0]), Tensor.ones([10]))
        #expect(tensor.softmax().scalars.allSatisfy { $0 > 0 && $0 <= 1 })
    }

    @Test func softmaxIsStableForLargeInputs() {
        let probabilities = Tensor([1000, 1001, 1002]).softmax()
        let expected = Tensor([0.09003057, 0.24472847, 0.66524096])
        expectClose(probabilities, expected)
        expectClose(Tensor([-1000, -1001]).logSoftmax(), Tensor([-0.31326169, -1.31326169]))
        expectClose(Tensor([1, 2, 3]).logSoftmax(), expected.log())
    }

    @Test func logSoftmaxIsLogOfSoftmax() {
        let tensor = randomTensor([4, 5, 3], seed: 4)
        for axis in [0, 1, 2] {
            expectClose(tensor.logSoftmax(alongAxis: axis), tensor.softmax(alongAxis: axis).log(), "axis \(axis)")
        }
    }
}
