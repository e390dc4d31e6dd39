import FERFusion
import FERNN
import FERTensor
import Testing

@Suite struct FusionHeadTrainingTests {
    static let (train, test) = SyntheticFeatures(count: 672, widths: (48, 32), noise: 2.5, seed: 21).split(at: 448)

    static func heads() -> [(String, any FusionHead)] {
        var generator = RandomGenerator(seed: 22)
        return [
            ("early", ConcatenationFusionHead(kind: .early, featureWidths: (48, 32), classCount: 7, hiddenWidth: 32, generator: &generator)),
            ("joint", ConcatenationFusionHead(kind: .joint, featureWidths: (48, 32), classCount: 7, hiddenWidth: nil, generator: &generator)),
            ("attention", AttentionFusionHead(featureWidths: (48, 32), classCount: 7, configuration: .init(tokens: 4), generator: &generator)),
            ("attention, no local", AttentionFusionHead(
                featureWidths: (48, 32), classCount: 7, configuration: .init(tokens: 4, localAttention: false), generator: &generator)),
        ]
    }

    @Test func everyTrainedHeadBeatsChanceByFar() {
        for (name, head) in Self.heads() {
            let before = accuracy(noGrad { head(Self.test.input(0..<Self.test.labels.count)) }.value, Self.test.labels)
            let after = trainedAccuracy(head, train: Self.train, test: Self.test)
            #expect(after > 0.6, "\(name): accuracy \(after) after training (chance 0.14, before \(before))")
        }
    }

    @Test func lateFusionAveragesProbabilitiesAndPicksTheWeightOnValidation() {
        let labels = Self.test.labels
        var generator = RandomGenerator(seed: 23)
        // The first "backbone" is informative, the second is noise.
        let oneHot = Tensor(shape: [labels.count, 7], scalars: labels.flatMap { label in (0..<7).map { $0 == label ? Float(1) : 0 } })
        let informative = oneHot * 3 + Tensor.randomNormal([labels.count, 7], using: &generator)
        let noise = Tensor.randomNormal([labels.count, 7], using: &generator) * 3
        let weight = LateFusionHead.chooseWeight(firstLogits: informative, secondLogits: noise, labels: labels)
        #expect(weight >= 0.7)
        let head = LateFusionHead(classCount: 7, weight: weight)
        let input = FusionInput(
            first: Variable(Tensor.zeros([labels.count, 1])), second: Variable(Tensor.zeros([labels.count, 1])),
            firstLogits: Variable(informative), secondLogits: Variable(noise))
        let fused = head(input).value
        let expected = informative.softmax(alongAxis: 1) * weight + noise.softmax(alongAxis: 1) * (1 - weight)
        let difference = (fused.softmax(alongAxis: 1) - expected).abs().max().item
        #expect(difference < 1e-5)
        #expect(accuracy(fused, labels) > accuracy(noise, labels) + 0.3)
    }
}
