import FERBackbones
import FERNN
import FERTensor
import Foundation

/// Everything needed to rebuild a trained single network (a backbone or one
/// of the FER networks) before loading its weights: architecture and its
/// options, class names and preprocessing. A checkpoint keeps it as JSON in
/// its `model_config` metadata.
public struct ClassifierConfiguration: Codable, Equatable, Sendable {
    /// Registry name of the architecture (`resnet18`, `lanmsff`, ...).
    public var architecture: String
    /// Class names, in the order of the outputs.
    public var classNames: [String]
    /// How images become input.
    public var preprocessing: Preprocessing
    /// The classifier VGG networks end with.
    public var vggHead: VGG.Head
    /// Switches of the multi-scale network (`msff_resnet50`); `nil` for the others.
    public var multiScale: MultiScaleConfiguration?

    /// A configuration with the architecture's default input for whatever is not given.
    public init(
        architecture: Architecture, classNames: [String], preprocessing: Preprocessing? = nil, vggHead: VGG.Head = .torchvision,
        multiScale: MultiScaleConfiguration? = nil
    ) {
        self.architecture = architecture.rawValue
        self.classNames = classNames
        self.preprocessing = preprocessing ?? .default(for: architecture)
        self.vggHead = vggHead
        self.multiScale = architecture == .msff_resnet50 ? multiScale ?? .init() : nil
    }

    /// The registry entry, or nil for a name the registry lacks (a file from a newer version).
    public var resolvedArchitecture: Architecture? { Architecture(rawValue: architecture) }

    /// A freshly initialised network as this configuration describes it.
    ///
    /// - Precondition: the architecture is in the registry.
    public func makeModel(generator: inout RandomGenerator) -> any Backbone {
        guard let resolved = resolvedArchitecture else { preconditionFailure("ClassifierConfiguration: unknown architecture \(architecture)") }
        if let multiScale, resolved == .msff_resnet50 {
            return MultiScaleResNet(
                configuration: multiScale, classCount: classNames.count, inputChannels: preprocessing.channels, generator: &generator)
        }
        return resolved.make(
            classCount: classNames.count, inputChannels: preprocessing.channels, vggHead: vggHead, generator: &generator)
    }

    /// Checkpoint metadata for a network of this configuration, with `trainingConfiguration` (JSON text).
    ///
    /// - Throws: the encoder's error (not expected: the configuration holds strings, enums and finite numbers).
    public func checkpointMetadata(trainingConfiguration: String = "{}") throws -> CheckpointMetadata {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(self), as: UTF8.self)
        return CheckpointMetadata(
            architecture: architecture, classNames: classNames, trainingConfiguration: trainingConfiguration, modelConfiguration: json)
    }
}

extension Preprocessing {
    /// The input an architecture is meant for: RGB with ImageNet's statistics
    /// at 100x100 for the backbones (what their pretrained weights expect),
    /// grayscale normalised to [-1, 1] at 64x64 for LANMSFF.
    public static func `default`(for architecture: Architecture) -> Preprocessing {
        let (channels, size) = architecture.defaultInput
        return channels == 1 ? Preprocessing(size: size, mean: [0.5], standardDeviation: [0.5]) : .imageNet(size: size)
    }
}
