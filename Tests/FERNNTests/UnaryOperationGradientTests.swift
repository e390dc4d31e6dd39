import Testing
import FERTensor
@testable import FERNN

@Suite struct UnaryOperationGradientTests {
    static let shapes: [[Int]] = [[], [7], [2, 3, 4]]

    @Test(arguments: shapes) func smoothFunctionGradientsMatchFiniteDifferences(_ shape: [Int]) {
        let x = randomTensor(shape, seed: 1)
        expectGradientsMatchFiniteDifferences([x]) { $0[0].exp() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].tanh() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].sigmoid() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].gelu() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].gelu(approximation: .tanh) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].squared() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].pow(3) }
    }

    @Test(arguments: shapes) func positiveDomainGradientsMatchFiniteDifferences(_ shape: [Int]) {
        // log, sqrt, rsqrt, reciprocal and fractional powers are singular at 0:
        // inputs start at 0.8, where third derivatives are small.
        let x = randomTensor(shape, seed: 2).abs() + 0.8
        expectGradientsMatchFiniteDifferences([x]) { $0[0].log() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].sqrt() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].rsqrt() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].reciprocal() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].pow(0.5) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].pow(-1.5) }
    }

    @Test(arguments: shapes) func piecewiseFunctionGradientsMatchAwayFromKinks(_ shape: [Int]) {
        // relu and abs bend at 0, the clamp at its bounds: inputs keep clear of them.
        let x = randomTensor(shape, seed: 3, awayFrom: [0, -0.5, 0.5])
        expectGradientsMatchFiniteDifferences([x]) { $0[0].relu() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].abs() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].clamped(min: -0.5, max: 0.5) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].clamped(min: -0.5) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].clamped(max: 0.5) }
    }

    @Test func valuesEqualTheTensorOperations() {
        let x = randomTensor([3, 5], seed: 4), positive = x.abs() + 0.1
        let v = Variable(x, requiresGradient: true), p = Variable(positive, requiresGradient: true)
        #expect(v.exp().value == x.exp())
        #expect(p.log().value == positive.log())
        #expect(p.sqrt().value == positive.sqrt())
        #expect(p.rsqrt().value == positive.rsqrt())
        #expect(v.tanh().value == x.tanh())
        #expect(v.sigmoid().value == x.sigmoid())
        #expect(v.relu().value == x.relu())
        #expect(v.gelu().value == x.gelu())
        #expect(v.gelu(approximation: .tanh).value == x.gelu(approximation: .tanh))
        #expect(v.abs().value == x.abs())
        #expect(v.squared().value == x.squared())
        #expect(p.pow(1.5).value == positive.pow(1.5))
        #expect(v.clamped(min: -0.2, max: 0.3).value == x.clamped(min: -0.2, max: 0.3))
        #expect(p.reciprocal().value == positive.reciprocal())
    }

    @Test func gradientsAtKinksFollowPyTorch() {
        // relu'(0) = 0, abs'(0) = 0 (sign), clamp passes the gradient at its bounds,
        // and x^0 has gradient 0 everywhere.
        let x = Variable(Tensor([-1, 0, 1]), requiresGradient: true)
        x.relu().sum().backward()
        #expect(x.gradient?.scalars == [0, 0, 1])
        let y = Variable(Tensor([-1, 0, 1]), requiresGradient: true)
        y.abs().sum().backward()
        #expect(y.gradient?.scalars == [-1, 0, 1])
        let z = Variable(Tensor([-2, -1, 0, 1, 2]), requiresGradient: true)
        z.clamped(min: -1, max: 1).sum().backward()
        #expect(z.gradient?.scalars == [0, 1, 1, 1, 0])
        let w = Variable(Tensor([0, 2]), requiresGradient: true)
        w.pow(0).sum().backward()
        #expect(w.gradient?.scalars == [0, 0])
    }

    @Test func saturatedSigmoidAndTanhHaveFiniteGradients() {
        let x = Variable(Tensor([-100, 100]), requiresGradient: true)
        (x.sigmoid() + x.tanh()).sum().backward()
        // sigmoid'(-100) = e^-100 underflows to a denormal or 0; never NaN.
        #expect(x.gradient?.scalars.allSatisfy { $0.isFinite && $0 >= 0 && $0 < 1e-30 } == true)
    }
}
