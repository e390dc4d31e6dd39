import FERNN
import FERTensor
import Testing
@testable import FERBackbones

/// The two FER networks of the literature: shapes at their input sizes,
/// registry entries, gradients reaching every parameter, ablation switches,
/// and ImageNet weights loading into the multi-scale network's trunk.
@Suite(.serialized) struct FERNetworkTests {
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal(shape, using: &generator)
    }

    /// Runs a training step's backward pass and returns the parameters left without a gradient.
    static func parametersWithoutGradient(_ model: any Backbone, input: Tensor, labels: [Int]) -> [String] {
        model.train()
        model.zeroGradients()
        crossEntropy(logits: model(Variable(input)), labels: labels).backward()
        return model.namedParameters.filter { $0.parameter.gradient == nil }.map(\.key)
    }

    @Test func lanmsffHasTheDocumentedShapesAndEveryParameterLearns() {
        var generator = RandomGenerator(seed: 1)
        let model = Architecture.lanmsff.make(classCount: 7, generator: &generator)
        #expect(Architecture.lanmsff.defaultInput == (1, 64))
        let input = Variable(Self.random([3, 1, 64, 64], seed: 2))
        #expect(model.stageOutputs(input).map(\.shape) == [[3, 66, 32, 32], [3, 72, 16, 16], [3, 78, 8, 8], [3, 84, 4, 4]])
        #expect(model.featureWidth == 156 && model.features(input).shape == [3, 156])
        #expect(model(input).shape == [3, 7])
        let missing = Self.parametersWithoutGradient(model, input: input.value, labels: [0, 3, 6])
        #expect(missing.isEmpty, "parameters without gradient: \(missing)")

        let ferPlus = LANMSFF(classCount: 8, generator: &generator)
        #expect(ferPlus(Variable(Self.random([2, 1, 48, 48], seed: 3))).shape == [2, 8], "FER-2013's 48x48 faces work too")
        #expect(ferPlus.parameterCount - model.parameterCount == 157, "one more class: 156 weights and a bias")
        #expect(Architecture.lanmsff.parameterCount(classCount: 7) == model.parameterCount)
    }

    @Test func lanmsffKeysNameEveryBlockAndUnit() {
        var generator = RandomGenerator(seed: 4)
        let keys = LANMSFF(generator: &generator).stateDictKeys
        for key in [
            "block1.conv1.weight", "block1.conv2.depthwise.weight", "block1.conv2.pointwise.bias", "block1.bn3.running_var",
            "block2.stages.0.plain.0.weight", "block2.stages.0.dilated.1.running_mean", "block2.stages.1.plain.0.depthwise.weight",
            "block2.attention.channel.0.weight", "block2.attention.spatial.6.weight", "block2.projection.weight", "block2.bn.bias",
            "block4.stages.2.dilated.0.weight", "fc.weight",
        ] {
            #expect(keys.contains(key), "\(key)")
        }
    }

    static let ablations: [MultiScaleConfiguration] = [
        .init(),
        .init(multiScaleFusion: false),
        .init(hybridAttention: false),
        .init(pyramidConvolution: false),
        .init(multiScaleFusion: false, hybridAttention: false, pyramidConvolution: false),
    ]

    @Test(arguments: ablations)
    func multiScaleNetworkSwitchesEachIdeaAndEveryParameterLearns(_ configuration: MultiScaleConfiguration) {
        var generator = RandomGenerator(seed: 5)
        let model = MultiScaleResNet(configuration: configuration, classCount: 7, generator: &generator)
        let input = Variable(Self.random([2, 3, 100, 100], seed: 6))
        let expectedWidth = configuration.multiScaleFusion ? 3 * 512 : 2048
        #expect(model.featureWidth == expectedWidth)
        #expect(noGrad { model.fusedMap(input) }.shape == [2, expectedWidth] + (configuration.multiScaleFusion ? [7, 7] : [4, 4]))
        let keys = model.stateDictKeys
        #expect(keys.contains("fusion.2.0.weight") == configuration.multiScaleFusion)
        #expect(keys.contains("attention.spatial_conv.weight") == configuration.hybridAttention)
        #expect(keys.contains("layer3.2.conv2.levels.3.weight") == configuration.pyramidConvolution)
        #expect(keys.contains("layer3.2.conv2.weight") == !configuration.pyramidConvolution)
        let missing = Self.parametersWithoutGradient(model, input: input.value, labels: [1, 5])
        #expect(missing.isEmpty, "parameters without gradient: \(missing)")
    }

    @Test func imageNetResNet50WeightsLoadIntoTheMatchingPartsOfTheMultiScaleNetwork() throws {
        var generator = RandomGenerator(seed: 7)
        let imageNet = ResNet(depth: .resNet50, classCount: 1000, generator: &generator).stateDict()
        let model = MultiScaleResNet(classCount: 7, generator: &generator)
        let report = try model.loadMatchingWeights(imageNet, source: "resnet50.safetensors")
        // Pyramid convolutions replace every bottleneck's conv2 (16 blocks); the classifier differs.
        #expect(report.skipped.sorted() == (imageNet.keys.filter { $0.contains(".conv2.") } + ["fc.bias", "fc.weight"]).sorted())
        #expect(report.loaded.count == imageNet.count - 16 - 2)
        #expect(model.stateDict()["layer4.2.conv3.weight"]!.scalars == imageNet["layer4.2.conv3.weight"]!.scalars)
        #expect(report.missing.contains("fusion.0.0.weight") && report.missing.contains("layer1.0.conv2.levels.0.weight"))

        let plain = MultiScaleResNet(configuration: .init(pyramidConvolution: false), classCount: 7, generator: &generator)
        #expect(try plain.loadMatchingWeights(imageNet).skipped == ["fc.bias", "fc.weight"])
        #expect(throws: NoMatchingWeightsError.self) { try plain.loadMatchingWeights(["unrelated": Tensor.zeros([3])]) }
    }

    @Test func theRegistryListsBothNetworksWithTheirParameterCounts() {
        #expect(Architecture(rawValue: "msff_resnet50") == .msff_resnet50 && Architecture(rawValue: "lanmsff") == .lanmsff)
        #expect(!Architecture.msff_resnet50.isTorchvisionModel && Architecture.msff_resnet50.imageNetParameterCount == nil)
        var generator = RandomGenerator(seed: 8)
        let model = Architecture.msff_resnet50.make(classCount: 7, generator: &generator)
        #expect(Architecture.msff_resnet50.parameterCount(classCount: 7) == model.parameterCount)
        // torchvision's counts for 7 classes follow from the 1000-class ones.
        #expect(Architecture.resnet18.parameterCount(classCount: 7) == ResNet(depth: .resNet18, classCount: 7, generator: &generator).parameterCount)
    }
}
