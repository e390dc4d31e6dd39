import FERTensor
import Foundation

/// Why a feature file could not be read, or two could not be paired.
public enum FeatureCacheError: Error, CustomStringConvertible, Equatable {
    /// A tensor or metadata entry the file needs is absent.
    case missingEntry(file: String, key: String)
    /// Entries that do not fit together (row counts, label range, JSON).
    case inconsistent(file: String, reason: String)
    /// Two backbones' features that do not describe the same rows.
    case unpaired(reason: String)

    public var description: String {
        switch self {
        case let .missingEntry(file, key): "\(file): feature file has no \"\(key)\""
        case let .inconsistent(file, reason): "\(file): feature file is inconsistent: \(reason)"
        case let .unpaired(reason): "the two backbones' features cannot be paired: \(reason)"
        }
    }
}

extension BackboneFeatures {
    /// The `format` metadata value of files this version writes.
    public static let fileFormat = "ferkit.backbone-features.v1"

    /// Writes the features as one safetensors file: tensors `features`,
    /// `logits`, `labels`, `flipped`; architecture, ids and class names in
    /// the metadata.
    ///
    /// - Throws: `SafetensorsError` when the file cannot be written.
    public func write(to url: URL) throws {
        let rows = [count]
        let metadata = [
            "format": Self.fileFormat, "architecture": architecture,
            "ids": String(decoding: try JSONEncoder().encode(ids), as: UTF8.self),
            "class_names": String(decoding: try JSONEncoder().encode(classNames), as: UTF8.self),
        ]
        try SafetensorsArchive(
            tensors: [
                "features": features, "logits": logits, "labels": Tensor(shape: rows, scalars: labels.map(Float.init)),
                "flipped": Tensor(shape: rows, scalars: flipped.map { $0 ? 1 : 0 }),
            ],
            metadata: metadata
        ).write(to: url)
    }

    /// Reads features written by `write(to:)`.
    ///
    /// - Throws: `SafetensorsError` for an unreadable file, `FeatureCacheError`
    ///   for missing or inconsistent entries.
    public init(contentsOf url: URL) throws {
        let archive = try SafetensorsArchive.read(contentsOf: url)
        let file = url.path
        func tensor(_ key: String) throws -> Tensor {
            guard let value = archive[key] else { throw FeatureCacheError.missingEntry(file: file, key: key) }
            return value
        }
        func text(_ key: String) throws -> String {
            guard let value = archive.metadata[key] else { throw FeatureCacheError.missingEntry(file: file, key: key) }
            return value
        }
        func strings(_ key: String) throws -> [String] {
            guard let values = try? JSONDecoder().decode([String].self, from: Data(try text(key).utf8)) else {
                throw FeatureCacheError.inconsistent(file: file, reason: "metadata \"\(key)\" is not a JSON array of strings")
            }
            return values
        }
        guard archive.metadata["format"] == Self.fileFormat else {
            throw FeatureCacheError.inconsistent(
                file: file, reason: "format \"\(archive.metadata["format"] ?? "none")\", expected \"\(Self.fileFormat)\"")
        }
        let (features, logits) = (try tensor("features"), try tensor("logits"))
        let labelValues = try tensor("labels").scalars, flipped = try tensor("flipped").scalars.map { $0 != 0 }
        let (ids, classNames, architecture) = (try strings("ids"), try strings("class_names"), try text("architecture"))
        let rows = labelValues.count
        for (key, value) in [("features", features), ("logits", logits)] where value.rank != 2 || value.shape[0] != rows {
            throw FeatureCacheError.inconsistent(file: file, reason: "\(key) has shape \(value.shape), expected [\(rows), width]")
        }
        guard logits.shape[1] == classNames.count else {
            throw FeatureCacheError.inconsistent(file: file, reason: "logits have \(logits.shape[1]) columns for \(classNames.count) class names")
        }
        guard ids.count == rows, flipped.count == rows else {
            throw FeatureCacheError.inconsistent(file: file, reason: "\(rows) labels, \(ids.count) ids, \(flipped.count) flipped marks")
        }
        if let bad = labelValues.first(where: { !($0 >= 0 && $0 < Float(classNames.count) && $0.rounded() == $0) }) {
            throw FeatureCacheError.inconsistent(file: file, reason: "label \(bad) outside the \(classNames.count) classes")
        }
        self.init(
            architecture: architecture, features: features, logits: logits, labels: labelValues.map { Int($0) }, ids: ids,
            flipped: flipped, classNames: classNames)
    }
}
