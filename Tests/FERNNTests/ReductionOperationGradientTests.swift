import Testing
import FERTensor
@testable import FERNN

@Suite struct ReductionOperationGradientTests {
    static let axes: [[Int]?] = [nil, [0], [-1], [0, 2], [1, -1]]

    @Test(arguments: axes) func maxAndMinGradientsMatchFiniteDifferences(_ axes: [Int]?) {
        // Distinct values 0.1 apart: no ties, and a step of 0.01 never changes the extremum.
        let x = distinctTensor([3, 4, 5], seed: 1)
        for keeping in [false, true] {
            expectGradientsMatchFiniteDifferences([x]) { $0[0].max(alongAxes: axes, keepingDimensions: keeping) }
            expectGradientsMatchFiniteDifferences([x]) { $0[0].min(alongAxes: axes, keepingDimensions: keeping) }
        }
    }

    @Test(arguments: axes) func varianceGradientsMatchFiniteDifferences(_ axes: [Int]?) {
        let x = randomTensor([3, 4, 5], seed: 2)
        for unbiased in [false, true] {
            expectGradientsMatchFiniteDifferences([x]) { $0[0].variance(alongAxes: axes, unbiased: unbiased) }
            expectGradientsMatchFiniteDifferences([x]) {
                $0[0].variance(alongAxes: axes, keepingDimensions: true, unbiased: unbiased)
            }
        }
    }

    @Test func valuesEqualTheTensorOperations() {
        let x = randomTensor([2, 3, 4], seed: 3)
        let v = Variable(x, requiresGradient: true)
        #expect(v.max(alongAxes: [1]).value == x.max(alongAxes: [1]))
        #expect(v.min(alongAxes: [0, 2], keepingDimensions: true).value == x.min(alongAxes: [0, 2], keepingDimensions: true))
        #expect(v.variance(alongAxes: [-1], unbiased: true).value == x.variance(alongAxes: [-1], unbiased: true))
        #expect(v.max().value == x.max())
    }

    @Test func tiedExtremaShareTheGradientEvenly() throws {
        // As PyTorch's amax/amin: each tied element gets gradient / (number of ties).
        let x = Variable(Tensor(shape: [2, 4], scalars: [1, 3, 3, 2, 5, 5, 5, 0]), requiresGradient: true)
        x.max(alongAxes: [1]).sum().backward()
        expectClose(try #require(x.gradient), Tensor(shape: [2, 4], scalars: [0, 0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0]))
        let y = Variable(Tensor([2, 1, 1, 4]), requiresGradient: true)
        y.min().backward()
        #expect(y.gradient?.scalars == [0, 0.5, 0.5, 0])
    }
}
