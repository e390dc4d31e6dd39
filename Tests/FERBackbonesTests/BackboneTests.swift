import Foundation
import Testing
import FERNN
import FERTensor
@testable import FERBackbones

/// torchvision's state-dict keys, shapes and parameter counts
/// (`Fixtures/generate_torchvision_keys.py`).
private struct TorchvisionReference: Decodable {
    let parameters: Int
    let state_dict: [[Entry]]

    enum Entry: Decodable {
        case key(String), shape([Int])
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let key = try? container.decode(String.self) { self = .key(key) } else { self = .shape(try container.decode([Int].self)) }
        }
    }

    /// `(key, shape)` pairs in torchvision's order.
    var entries: [(String, [Int])] {
        state_dict.compactMap { pair in
            guard case .key(let key)? = pair.first, case .shape(let shape)? = pair.last else { return nil }
            return (key, shape)
        }
    }

    static let all: [String: TorchvisionReference] = {
        guard let url = Bundle.module.url(forResource: "torchvision_state_dicts", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return [:] }
        return (try? JSONDecoder().decode([String: TorchvisionReference].self, from: data)) ?? [:]
    }()
}

@Suite(.serialized) struct BackboneTests {
    @Test(arguments: Architecture.torchvisionModels)
    func stateDictAndParametersEqualTorchvisionAndEveryParameterLearns(_ architecture: Architecture) throws {
        let reference = try #require(TorchvisionReference.all[architecture.rawValue])
        var generator = RandomGenerator(seed: 1)
        let model = architecture.make(generator: &generator)

        let state = model.stateDict()
        let ours = model.stateDictKeys.map { ($0, state[$0]!.shape) }
        #expect(ours.map(\.0) == reference.entries.map(\.0), "keys differ from torchvision's")
        #expect(ours.map(\.1) == reference.entries.map(\.1), "shapes differ from torchvision's")
        #expect(model.parameterCount == reference.parameters)
        #expect(architecture.imageNetParameterCount == reference.parameters)

        let images = randomTensor([2, 3, 32, 32], seed: 2)
        crossEntropy(logits: model(Variable(images)), labels: [3, 999]).backward()
        let missing = model.namedParameters.filter { $0.parameter.gradient == nil }.map(\.key)
        #expect(missing.isEmpty, "parameters without gradient: \(missing)")
    }

    @Test(arguments: Architecture.torchvisionModels)
    func inferenceWithFoldedBatchNormEqualsTheLayerByLayerEvaluation(_ architecture: Architecture) {
        var generator = RandomGenerator(seed: 3)
        let model = architecture.make(classCount: 5, vggHead: .globalPool, generator: &generator)
        _ = model(Variable(randomTensor([4, 3, 32, 32], seed: 4)))  // running statistics move away from 0 and 1
        model.eval()
        let images = Variable(randomTensor([2, 3, 32, 32], seed: 5))
        let layerByLayer = model(images).value  // parameters require gradients: nothing is folded
        let folded = noGrad { model(images) }.value
        let scale = layerByLayer.abs().max().item
        let difference = (folded - layerByLayer).abs().max().item
        #expect(difference <= 1e-4 * Swift.max(1, scale), "\(architecture): folded differs by \(difference)")
    }

    @Test func featuresAndStagesHaveTheDocumentedShapes() {
        var generator = RandomGenerator(seed: 3)
        let input = Variable(randomTensor([2, 3, 64, 64], seed: 4))
        let resnet = ResNet(depth: .resNet18, classCount: 7, generator: &generator)
        #expect(resnet.features(input).shape == [2, 512])
        #expect(resnet.stageOutputs(input).map(\.shape) == [[2, 64, 16, 16], [2, 128, 8, 8], [2, 256, 4, 4], [2, 512, 2, 2]])
        #expect(resnet(input).shape == [2, 7])
        let vgg = VGG(configuration: .vgg11, batchNorm: true, head: .globalPool, classCount: 7, generator: &generator)
        #expect(vgg.features(input).shape == [2, 512])
        #expect(vgg.stageOutputs(input).map { $0.shape[2] } == [32, 16, 8, 4, 2])
        #expect(vgg.stateDictKeys.last == "classifier.0.bias")
    }

    @Test func grayscaleResNet50TakesOneChannel() {
        var generator = RandomGenerator(seed: 5)
        let model = ResNet(depth: .resNet50, classCount: 7, inputChannels: 1, generator: &generator)
        #expect(model.featureWidth == 2048)
        model.eval()
        #expect(noGrad { model(Variable(randomTensor([1, 1, 64, 64], seed: 6))) }.shape == [1, 7])
    }

    @Test func aPretrainedStateDictLoadsIntoANewClassCountAfterReplacingTheClassifier() throws {
        var generator = RandomGenerator(seed: 7)
        let pretrained = ResNet(depth: .resNet18, classCount: 1000, generator: &generator)
        let model = ResNet(depth: .resNet18, classCount: 7, generator: &generator)
        var state = pretrained.stateDict()
        #expect(throws: StateDictError.self) { try model.load(stateDict: state) }
        state["fc.weight"] = nil
        state["fc.bias"] = nil
        try model.load(stateDict: state, strict: false)
        #expect(model.conv1.weight.value == pretrained.conv1.weight.value)
        let fresh = ResNet(depth: .resNet18, classCount: 7, generator: &generator)
        let freshClassifier = fresh.fc.weight.value
        try fresh.loadPretrained(pretrained.stateDict(), source: "imagenet.safetensors")
        #expect(fresh.layer4.stateDict() == pretrained.layer4.stateDict())
        #expect(fresh.fc.weight.value == freshClassifier)
        var broken = pretrained.stateDict()
        broken["layer1.0.conv1.weight"] = nil
        #expect(throws: StateDictError.self) { try fresh.loadPretrained(broken) }
        pretrained.replaceClassifier(classCount: 7, generator: &generator)
        #expect(pretrained.classCount == 7 && pretrained.stateDict()["fc.weight"]?.shape == [7, 512])
    }
}

/// A tensor of standard-normal samples fixed by `seed`.
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor.randomNormal(shape, using: &generator)
}
