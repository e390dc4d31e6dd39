import FERFusion
import FERNN
import FERTensor
import Testing

@Suite struct HeadGradientTests {
    static let features = SyntheticFeatures(count: 5, widths: (12, 8), seed: 3)

    static func featureInput(_ variables: [Variable]) -> FusionInput {
        FusionInput(first: variables[0], second: variables[1])
    }

    @Test(arguments: [
        AttentionFusionConfiguration(scope: .perSample, tokens: 4),
        AttentionFusionConfiguration(scope: .batch, learnedProjections: true),
        AttentionFusionConfiguration(tokens: 2, localAttention: false),
    ])
    func attentionHeadGradientsMatchFiniteDifferences(_ configuration: AttentionFusionConfiguration) {
        var generator = RandomGenerator(seed: 11)
        let head = AttentionFusionHead(featureWidths: (12, 8), classCount: 7, configuration: configuration, generator: &generator)
        expectHeadGradientsMatchFiniteDifferences(head, inputs: [Self.features.first, Self.features.second], Self.featureInput)
    }

    @Test(arguments: [16, nil] as [Int?])
    func concatenationHeadGradientsMatchFiniteDifferences(_ hiddenWidth: Int?) {
        var generator = RandomGenerator(seed: 12)
        let head = ConcatenationFusionHead(
            kind: .joint, featureWidths: (12, 8), classCount: 7, hiddenWidth: hiddenWidth, generator: &generator)
        expectHeadGradientsMatchFiniteDifferences(head, inputs: [Self.features.first, Self.features.second], Self.featureInput)
    }

    @Test func lateHeadGradientsMatchFiniteDifferences() {
        let first = randomLogits(seed: 13), second = randomLogits(seed: 14)
        expectHeadGradientsMatchFiniteDifferences(LateFusionHead(classCount: 7, weight: 0.3), inputs: [first, second]) {
            FusionInput(first: $0[0], second: $0[1], firstLogits: $0[0], secondLogits: $0[1])
        }
    }

    private func randomLogits(seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal([5, 7], using: &generator)
    }
}
