import FERBackbones
import FERFusion
import FERNN
import FERTensor
import FERTestSupport
import Foundation
import Testing

/// Mutated feature files and checkpoints: reading them must give a valid
/// result or a typed error naming the file, never a trap.
@Suite struct ModelFileFuzzTests {
    static func isTyped(_ error: any Error) -> Bool {
        error is SafetensorsError || error is FeatureCacheError || error is CheckpointError || error is StateDictError
            || error is FusionModelError
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fer-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func mutatedFeatureFilesAreErrorsOrValidFeatures() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("features.safetensors")
        var generator = RandomGenerator(seed: 1)
        try BackboneFeatures(
            architecture: "resnet18", features: Tensor.randomNormal([6, 4], using: &generator), logits: Tensor.zeros([6, 7]),
            labels: [0, 1, 2, 3, 4, 5], ids: (0..<6).map { "image\($0)" }, classNames: Expression7.names
        ).write(to: url)
        let seed = [UInt8](try Data(contentsOf: url))
        var mutator = Mutator(seed: 12)
        var rejected = 0
        for index in 0..<600 {
            try Data(mutator.mutate(seed)).write(to: url)
            do {
                let features = try BackboneFeatures(contentsOf: url)
                #expect(features.labels.allSatisfy(features.classNames.indices.contains))
            } catch {
                rejected += 1
                #expect(Self.isTyped(error), "case \(index): \(type(of: error)) \(error)")
            }
        }
        #expect(rejected > 0)
    }

    @Test func mutatedCheckpointsAreErrorsOrLoadableModels() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        var generator = RandomGenerator(seed: 2)
        let configuration = ClassifierConfiguration(architecture: .lanmsff, classNames: Expression7.names)
        try configuration.makeModel(generator: &generator).save(to: url, configuration: configuration)
        let seed = [UInt8](try Data(contentsOf: url))
        // Mutations land anywhere in the ~1.5 MB file; those in the header and metadata are the interesting ones.
        let headerLength = 8 + Int(seed.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var mutator = Mutator(seed: 13)
        var rejected = 0
        for index in 0..<150 {
            let header = mutator.mutate(Array(seed.prefix(headerLength)))
            try Data(header + seed.dropFirst(headerLength)).write(to: url)
            do {
                _ = try TrainedModel.load(contentsOf: url)
            } catch {
                rejected += 1
                #expect(Self.isTyped(error), "case \(index): \(type(of: error)) \(error)")
            }
        }
        #expect(rejected > 0)
    }
}

/// The seven basic expressions' names, as FERData orders them.
enum Expression7 {
    static let names = ["surprise", "fear", "disgust", "happiness", "sadness", "anger", "neutral"]
}
