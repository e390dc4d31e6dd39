import FERNN
import FERTensor
import Foundation

/// Why a fusion model could not be saved or loaded.
public enum FusionModelError: Error, CustomStringConvertible, Equatable {
    /// The model was assembled from parts, so nothing records how to rebuild it.
    case noConfiguration
    /// The checkpoint's model configuration is not valid JSON for a fusion model.
    case invalidConfiguration(file: String, reason: String)

    public var description: String {
        switch self {
        case .noConfiguration:
            "fusion model has no configuration to save (build it with FusionModel(configuration:generator:))"
        case let .invalidConfiguration(file, reason): "\(file): fusion model configuration is invalid: \(reason)"
        }
    }
}

extension FusionModel {
    /// The architecture name fusion checkpoints carry.
    public static let checkpointArchitecture = "fusion"

    /// Saves both backbones, the head, the class names and the
    /// preprocessing to one safetensors checkpoint.
    ///
    /// - Throws: `FusionModelError.noConfiguration`, or `SafetensorsError` when the file cannot be written.
    public func save(to url: URL, trainingConfiguration: String = "{}") throws {
        try Checkpoint.save(self, metadata: try checkpointMetadata(trainingConfiguration: trainingConfiguration), to: url)
    }

    /// The metadata of this model's checkpoints: the `fusion` architecture,
    /// class names and the configuration (with the late-fusion weight now in
    /// use), so that `load(contentsOf:)` rebuilds it.
    ///
    /// - Throws: `FusionModelError.noConfiguration` for a model assembled from parts.
    public func checkpointMetadata(trainingConfiguration: String = "{}") throws -> CheckpointMetadata {
        guard var configuration else { throw FusionModelError.noConfiguration }
        if let late = head as? LateFusionHead { configuration.lateWeight = late.weight }
        let json = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
        return CheckpointMetadata(
            architecture: Self.checkpointArchitecture, classNames: classNames, trainingConfiguration: trainingConfiguration,
            modelConfiguration: json)
    }

    /// Rebuilds and loads the fusion model saved at `url`, in evaluation mode.
    ///
    /// - Throws: `CheckpointError` (e.g. not a fusion checkpoint),
    ///   `FusionModelError.invalidConfiguration`, `StateDictError` or `SafetensorsError`, each naming the file.
    public static func load(contentsOf url: URL) throws -> FusionModel {
        let metadata = try Checkpoint.readMetadata(at: url)
        guard metadata.architecture == checkpointArchitecture else {
            throw CheckpointError.architectureMismatch(file: url.path, expected: checkpointArchitecture, found: metadata.architecture)
        }
        let configuration: FusionModelConfiguration
        do {
            configuration = try JSONDecoder().decode(FusionModelConfiguration.self, from: Data(metadata.modelConfiguration.utf8))
        } catch {
            throw FusionModelError.invalidConfiguration(file: url.path, reason: "\(error)")
        }
        guard configuration.architectures != nil else {
            throw FusionModelError.invalidConfiguration(
                file: url.path, reason: "unknown backbone \(configuration.firstBackbone) or \(configuration.secondBackbone)")
        }
        var generator = RandomGenerator(seed: 0)  // every weight is overwritten by the file
        let model = FusionModel(configuration: configuration, generator: &generator)
        try Checkpoint.load(into: model, from: url, architecture: checkpointArchitecture)
        model.eval()
        return model
    }

    /// Class probabilities `[N, classes]` for `images` `[N, C, H, W]` with
    /// values in [0, 1], preprocessed as the configuration says (a model
    /// assembled from parts takes them as they are). With `flipTTA`, the
    /// probabilities of each image and its mirror image are averaged.
    public func predictProbabilities(_ images: Tensor, flipTTA: Bool = false) -> Tensor {
        let input = configuration.map { $0.preprocessing.apply(images) } ?? images
        return classProbabilities(input, flipTTA: flipTTA)
    }
}
