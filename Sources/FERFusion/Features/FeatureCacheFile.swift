import FERTensor
import Foundation

/// Why a feature cache file could not be read.
public enum FeatureCacheError: Error, CustomStringConvertible, Equatable {
    /// A tensor or metadata entry the cache needs is absent.
    case missingEntry(file: String, key: String)
    /// Entries that do not fit together (row counts, label range, JSON).
    case inconsistent(file: String, reason: String)

    public var description: String {
        switch self {
        case let .missingEntry(file, key): "\(file): feature cache has no \"\(key)\""
        case let .inconsistent(file, reason): "\(file): feature cache is inconsistent: \(reason)"
        }
    }
}

extension FeatureCache {
    /// The `format` metadata value of files this version writes.
    public static let fileFormat = "ferkit.feature-cache.v1"

    /// Writes the cache as one safetensors file: tensors `first`, `second`,
    /// `first_logits`, `second_logits`, `labels`, `flipped`; ids and class
    /// names as JSON in the metadata.
    ///
    /// - Throws: `SafetensorsError` when the file cannot be written.
    public func write(to url: URL) throws {
        let rows = [count]
        let metadata = [
            "format": Self.fileFormat,
            "ids": String(decoding: try JSONEncoder().encode(ids), as: UTF8.self),
            "class_names": String(decoding: try JSONEncoder().encode(classNames), as: UTF8.self),
        ]
        try SafetensorsArchive(
            tensors: [
                "first": first, "second": second, "first_logits": firstLogits, "second_logits": secondLogits,
                "labels": Tensor(shape: rows, scalars: labels.map(Float.init)),
                "flipped": Tensor(shape: rows, scalars: flipped.map { $0 ? 1 : 0 }),
            ],
            metadata: metadata
        ).write(to: url)
    }

    /// Reads a cache written by `write(to:)`.
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
        func strings(_ key: String) throws -> [String] {
            guard let text = archive.metadata[key] else { throw FeatureCacheError.missingEntry(file: file, key: key) }
            guard let values = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
                throw FeatureCacheError.inconsistent(file: file, reason: "metadata \"\(key)\" is not a JSON array of strings")
            }
            return values
        }
        guard archive.metadata["format"] == Self.fileFormat else {
            throw FeatureCacheError.inconsistent(
                file: file, reason: "format \"\(archive.metadata["format"] ?? "none")\", expected \"\(Self.fileFormat)\"")
        }
        let (first, second) = (try tensor("first"), try tensor("second"))
        let (firstLogits, secondLogits) = (try tensor("first_logits"), try tensor("second_logits"))
        let labelValues = try tensor("labels").scalars, flipped = try tensor("flipped").scalars.map { $0 != 0 }
        if let bad = labelValues.first(where: { !($0 >= 0 && $0 < 1e6 && $0.rounded() == $0) }) {
            throw FeatureCacheError.inconsistent(file: file, reason: "label \(bad) is not a class index")
        }
        let labels = labelValues.map { Int($0) }
        let (ids, classNames) = (try strings("ids"), try strings("class_names"))
        let rows = labels.count
        for (key, value) in [("first", first), ("second", second), ("first_logits", firstLogits), ("second_logits", secondLogits)]
        where value.rank != 2 || value.shape[0] != rows {
            throw FeatureCacheError.inconsistent(file: file, reason: "\(key) has shape \(value.shape), expected [\(rows), width]")
        }
        for (key, value) in [("first_logits", firstLogits), ("second_logits", secondLogits)] where value.shape[1] != classNames.count {
            throw FeatureCacheError.inconsistent(
                file: file, reason: "\(key) has \(value.shape[1]) columns for \(classNames.count) class names")
        }
        guard ids.count == rows, flipped.count == rows else {
            throw FeatureCacheError.inconsistent(file: file, reason: "\(rows) labels, \(ids.count) ids, \(flipped.count) flipped marks")
        }
        if let bad = labels.first(where: { !classNames.indices.contains($0) }) {
            throw FeatureCacheError.inconsistent(file: file, reason: "label \(bad) outside the \(classNames.count) classes")
        }
        self.init(
            first: first, second: second, firstLogits: firstLogits, secondLogits: secondLogits, labels: labels, ids: ids,
            flipped: flipped, classNames: classNames)
    }
}
