import Testing
import FERTensor
@testable import FERNN

@Suite struct DropoutOperationTests {
    @Test(arguments: [Float(0.2), 0.5]) func gradientsMatchFiniteDifferencesForAFixedMask(_ probability: Float) {
        // A generator re-seeded in every evaluation draws the same mask each time.
        expectGradientsMatchFiniteDifferences([randomTensor([3, 8], seed: 1)]) {
            var generator = RandomGenerator(seed: 7)
            return $0[0].dropout(probability: probability, training: true, generator: &generator)
        }
    }

    @Test func survivorsAreScaledAndTheGradientUsesTheSameMask() throws {
        var generator = RandomGenerator(seed: 3)
        let x = Variable(Tensor.ones([1000]), requiresGradient: true)
        let y = x.dropout(probability: 0.25, training: true, generator: &generator)
        #expect(y.value.scalars.allSatisfy { $0 == 0 || Swift.abs($0 - 4.0 / 3) < 1e-6 })
        let dropped = y.value.scalars.filter { $0 == 0 }.count
        #expect((180...320).contains(dropped), "about a quarter of 1000 elements dropped, got \(dropped)")
        y.sum().backward()
        #expect(try #require(x.gradient) == y.value)
    }

    @Test func isTheIdentityWhenNotTrainingOrWithProbabilityZero() {
        var generator = RandomGenerator(seed: 4)
        let before = generator
        let x = Variable(randomTensor([4, 5], seed: 5), requiresGradient: true)
        #expect(x.dropout(probability: 0.5, training: false, generator: &generator).value == x.value)
        #expect(x.dropout(probability: 0, training: true, generator: &generator).value == x.value)
        var a = generator, b = before
        #expect(a.next() == b.next(), "the generator was not advanced")
    }

    @Test func probabilityOneZeroesEverything() {
        var generator = RandomGenerator(seed: 6)
        let x = Variable(randomTensor([3, 3], seed: 7), requiresGradient: true)
        let y = x.dropout(probability: 1, training: true, generator: &generator)
        #expect(y.value == Tensor.zeros([3, 3]))
        y.sum().backward()
        #expect(x.gradient == Tensor.zeros([3, 3]))
    }
}
