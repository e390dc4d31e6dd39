import FERBackbones
import FERNN
import FERTensor
import Foundation

/// A trained model as a checkpoint holds it: one network, or two backbones
/// fused by a head. Loads with one call and predicts class probabilities for
/// images, preprocessing them as training did.
public enum TrainedModel {
    /// A single network and its configuration.
    case classifier(any Backbone, ClassifierConfiguration)
    /// A fusion model built from a configuration (as every loaded one is).
    case fusion(FusionModel)

    /// Rebuilds and loads the model saved at `url`, in evaluation mode.
    ///
    /// - Throws: `CheckpointError`, `FusionModelError`, `StateDictError` or
    ///   `SafetensorsError`, each naming the file.
    public static func load(contentsOf url: URL) throws -> TrainedModel {
        let metadata = try Checkpoint.readMetadata(at: url)
        if metadata.architecture == FusionModel.checkpointArchitecture { return .fusion(try FusionModel.load(contentsOf: url)) }
        let configuration: ClassifierConfiguration
        do {
            configuration = try JSONDecoder().decode(ClassifierConfiguration.self, from: Data(metadata.modelConfiguration.utf8))
        } catch {
            throw CheckpointError.invalidMetadata(
                file: url.path, key: "model_config", value: String(metadata.modelConfiguration.prefix(200)),
                reason: "not a FERKit classifier configuration (\(error))")
        }
        guard configuration.resolvedArchitecture != nil else {
            throw CheckpointError.invalidMetadata(
                file: url.path, key: "model_config", value: configuration.architecture, reason: "unknown architecture")
        }
        var generator = RandomGenerator(seed: 0)  // every weight is overwritten by the file
        let model = configuration.makeModel(generator: &generator)
        try Checkpoint.load(into: model, from: url, architecture: configuration.architecture)
        model.eval()
        return .classifier(model, configuration)
    }

    /// The network that maps preprocessed images to class logits.
    public var network: any UnaryLayer {
        switch self {
        case let .classifier(model, _): model
        case let .fusion(model): model
        }
    }

    /// Class names, indexed like the outputs.
    public var classNames: [String] {
        switch self {
        case let .classifier(_, configuration): configuration.classNames
        case let .fusion(model): model.classNames
        }
    }

    /// How images become input (size, channels, normalisation).
    public var preprocessing: Preprocessing {
        switch self {
        case let .classifier(_, configuration): configuration.preprocessing
        case let .fusion(model): model.configuration?.preprocessing ?? .imageNet(size: 100)
        }
    }

    /// What the model is: the architecture, or `fusion:strategy(first+second)`.
    public var summary: String {
        switch self {
        case let .classifier(_, configuration): configuration.architecture
        case let .fusion(model):
            model.configuration.map { "fusion:\($0.strategy.rawValue)(\($0.firstBackbone)+\($0.secondBackbone))" } ?? "fusion"
        }
    }

    /// Class probabilities `[N, classes]` for `images` `[N, C, H, W]` with
    /// values in [0, 1] and the channels of `preprocessing`; with `flipTTA`,
    /// averaged with those of the mirror images. Each image's result is bit
    /// for bit the same whatever else the batch holds: BatchNorm runs in
    /// evaluation mode and the kernels are batch-invariant (`batchInvariant(_:)`).
    /// Per-sample attention keeps a fusion model's predictions independent
    /// too; the paper's batch-scope attention does not.
    public func predictProbabilities(_ images: Tensor, flipTTA: Bool = false) -> Tensor {
        batchInvariant {
            switch self {
            case let .classifier(model, configuration):
                model.classProbabilities(configuration.preprocessing.apply(images), flipTTA: flipTTA)
            case let .fusion(model): model.predictProbabilities(images, flipTTA: flipTTA)
            }
        }
    }
}

extension Backbone {
    /// Saves the network's weights with `configuration` (and the training
    /// configuration as JSON text) to a checkpoint `TrainedModel.load` reads.
    ///
    /// - Throws: `SafetensorsError` when the file cannot be written.
    public func save(to url: URL, configuration: ClassifierConfiguration, trainingConfiguration: String = "{}") throws {
        try Checkpoint.save(self, metadata: try configuration.checkpointMetadata(trainingConfiguration: trainingConfiguration), to: url)
    }
}
