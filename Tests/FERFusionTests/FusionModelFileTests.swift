import FERBackbones
import FERFusion
import FERNN
import FERTensor
import Foundation
import Testing

@Suite struct FusionModelFileTests {
    static let classNames = ["surprise", "fear", "disgust", "happiness", "sadness", "anger", "neutral"]

    static func configuration(_ strategy: FusionStrategyKind) -> FusionModelConfiguration {
        FusionModelConfiguration(
            firstBackbone: .resnet18, secondBackbone: .vgg11_bn, strategy: strategy, classNames: classNames,
            preprocessing: .imageNet(size: 32), vggHead: .globalPool, attention: .init(tokens: 8))
    }

    static func temporaryFile() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fer-fusion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("model.safetensors")
    }

    static func images(_ count: Int, side: Int = 32, seed: UInt64 = 61) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomUniform([count, 3, side, side], low: 0, high: 1, using: &generator)
    }

    @Test(arguments: [FusionStrategyKind.attention, .late])
    func aSavedModelLoadsWithOneCallAndPredictsTheSame(_ strategy: FusionStrategyKind) throws {
        var generator = RandomGenerator(seed: 62)
        let model = FusionModel(configuration: Self.configuration(strategy), generator: &generator)
        (model.head as? LateFusionHead)?.weight = 0.7
        let url = try Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try model.save(to: url)
        let loaded = try FusionModel.load(contentsOf: url)
        #expect(loaded.classNames == Self.classNames && loaded.head.kind == strategy)
        #expect((loaded.head as? LateFusionHead)?.weight ?? 0.7 == 0.7)
        let images = Self.images(3, side: 40)  // resized to 32 by the saved preprocessing
        let expected = model.predictProbabilities(images), found = loaded.predictProbabilities(images)
        #expect(found.shape == [3, 7])
        #expect((found - expected).abs().max().item < 1e-6)
        #expect((found.sum(alongAxes: [1]) - 1).abs().max().item < 1e-5)
    }

    @Test func flipTestTimeAugmentationAveragesAnImageAndItsMirror() {
        var generator = RandomGenerator(seed: 63)
        let model = FusionModel(configuration: Self.configuration(.early), generator: &generator)
        let images = Self.images(2)
        let mirrored = images.indexSelected(axis: 3, indices: Array((0..<32).reversed()))
        let expected = (model.predictProbabilities(images) + model.predictProbabilities(mirrored)) * 0.5
        #expect((model.predictProbabilities(images, flipTTA: true) - expected).abs().max().item < 1e-6)
    }

    @Test func modelsWithoutConfigurationAndForeignCheckpointsAreErrors() throws {
        let url = try Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let parts = FusionModelTests.model(.early)
        #expect(throws: FusionModelError.noConfiguration) { try parts.save(to: url) }

        var generator = RandomGenerator(seed: 64)
        let backbone = ResNet(depth: .resNet18, classCount: 7, generator: &generator)
        try Checkpoint.save(backbone, metadata: CheckpointMetadata(architecture: "resnet18", classNames: Self.classNames), to: url)
        #expect(throws: CheckpointError.architectureMismatch(file: url.path, expected: "fusion", found: "resnet18")) {
            try FusionModel.load(contentsOf: url)
        }
        try Checkpoint.save(backbone, metadata: CheckpointMetadata(
            architecture: "fusion", classNames: Self.classNames, modelConfiguration: #"{"firstBackbone": 3}"#), to: url)
        #expect { try FusionModel.load(contentsOf: url) } throws: { error in
            guard case FusionModelError.invalidConfiguration(let file, _) = error else { return false }
            return file == url.path
        }
    }

    @Test func preprocessingResizesAndNormalisesPerChannel() {
        let preprocessing = Preprocessing(size: 2, mean: [0.5, 0.25], standardDeviation: [0.5, 0.25])
        let input = Tensor(shape: [1, 2, 4, 4], scalars: Array(repeating: 1, count: 16) + Array(repeating: 0.5, count: 16))
        let output = preprocessing.apply(input)
        #expect(output.shape == [1, 2, 2, 2])
        #expect(output.scalars == [1, 1, 1, 1, 1, 1, 1, 1])
    }
}
