import FERBackbones
import FERFusion
import FERNN
import FERTensor
import Testing

@Suite struct FusionModelTests {
    /// ResNet18 + ResNet34 with the head of `kind`, for 7 classes.
    static func model(_ kind: FusionStrategyKind) -> FusionModel {
        var generator = RandomGenerator(seed: 41)
        let first = Architecture.resnet18.make(classCount: 7, generator: &generator)
        let second = Architecture.resnet34.make(classCount: 7, generator: &generator)
        let widths = (first.featureWidth, second.featureWidth)
        let head: any FusionHead = switch kind {
        case .late: LateFusionHead(classCount: 7)
        case .early, .joint: ConcatenationFusionHead(kind: kind, featureWidths: widths, classCount: 7, generator: &generator)
        case .attention: AttentionFusionHead(featureWidths: widths, classCount: 7, generator: &generator)
        }
        return FusionModel(first: first, second: second, head: head, classNames: (0..<7).map { "class \($0)" })
    }

    @Test(arguments: FusionStrategyKind.allCases)
    func onlyJointFusionChangesTheBackbones(_ kind: FusionStrategyKind) {
        let model = Self.model(kind)
        let backboneState = { model.stateDict().filter { !$0.key.hasPrefix("head.") } }
        let before = backboneState()
        let headBefore = model.head.stateDict()
        model.train()
        var generator = RandomGenerator(seed: 42)
        let images = Variable(Tensor.randomNormal([4, 3, 32, 32], using: &generator))
        let logits = model(images)
        #expect(logits.shape == [4, 7])
        if !model.trainableParameters.isEmpty {
            let optimizer = SGD(model.trainableParameters, learningRate: 0.1)
            crossEntropy(logits: logits, labels: [0, 1, 2, 3]).backward()
            optimizer.step()
        }
        let after = backboneState()
        let changed = before.keys.filter { before[$0]!.scalars != after[$0]!.scalars }
        if kind == .joint {
            #expect(["first.layer1.0.conv1.weight", "second.bn1.running_mean"].allSatisfy(changed.contains))
        } else {
            #expect(changed.isEmpty, "\(kind): backbone tensors changed: \(changed.sorted().prefix(5))")
        }
        let headChanged = headBefore.keys.contains { headBefore[$0]!.scalars != model.head.stateDict()[$0]!.scalars }
        #expect(headChanged == (kind != .late), "\(kind): head changed: \(headChanged)")
    }
}
