import Foundation

/// What a checkpoint records about the model besides its weights, stored in
/// the safetensors `__metadata__` (strings only).
public struct CheckpointMetadata: Equatable, Sendable {
    /// Metadata keys, as written to the file.
    enum Key {
        static let format = "format"
        static let architecture = "architecture"
        static let classNames = "class_names"
        static let trainingConfiguration = "training_config"
        static let modelConfiguration = "model_config"
        static let libraryVersion = "ferkit_version"
        static let trainingStateIdentifier = "training_state_id"
    }

    /// The model's architecture (`resnet18`, `vgg16_bn`, ...); loading checks it.
    public var architecture: String
    /// The class names in the order of the model's outputs (stored as a JSON array).
    public var classNames: [String]
    /// The training configuration as JSON text.
    public var trainingConfiguration: String
    /// How to rebuild the model before loading the weights, as JSON text
    /// (composite models such as fusion models); `{}` when the architecture
    /// name says it all.
    public var modelConfiguration: String
    /// Version of FERKit that wrote the checkpoint.
    public var libraryVersion: String

    /// Metadata for a checkpoint written by this version of FERKit.
    public init(
        architecture: String, classNames: [String], trainingConfiguration: String = "{}", modelConfiguration: String = "{}",
        libraryVersion: String = Checkpoint.libraryVersion
    ) {
        self.architecture = architecture
        self.classNames = classNames
        self.trainingConfiguration = trainingConfiguration
        self.modelConfiguration = modelConfiguration
        self.libraryVersion = libraryVersion
    }

    /// The entries of the safetensors `__metadata__`; `format` is `pt`, as
    /// PyTorch tools expect of a state dict.
    func archiveMetadata() throws -> [String: String] {
        let classNamesJSON = String(decoding: try JSONEncoder().encode(classNames), as: UTF8.self)
        return [
            Key.format: "pt", Key.architecture: architecture, Key.classNames: classNamesJSON,
            Key.trainingConfiguration: trainingConfiguration, Key.modelConfiguration: modelConfiguration,
            Key.libraryVersion: libraryVersion,
        ]
    }

    /// Reads the entries written by `archiveMetadata()` from the file `file`.
    ///
    /// - Throws: `CheckpointError.missingMetadata` or `.invalidMetadata`.
    init(archiveMetadata metadata: [String: String], file: String) throws {
        func value(_ key: String) throws -> String {
            guard let value = metadata[key] else { throw CheckpointError.missingMetadata(file: file, key: key) }
            return value
        }
        let classNamesJSON = try value(Key.classNames)
        guard let classNames = try? JSONDecoder().decode([String].self, from: Data(classNamesJSON.utf8)) else {
            throw CheckpointError.invalidMetadata(file: file, key: Key.classNames, value: classNamesJSON, reason: "expected a JSON array of strings")
        }
        self.init(
            architecture: try value(Key.architecture), classNames: classNames,
            trainingConfiguration: try value(Key.trainingConfiguration),
            modelConfiguration: metadata[Key.modelConfiguration] ?? "{}", libraryVersion: try value(Key.libraryVersion))
    }
}
