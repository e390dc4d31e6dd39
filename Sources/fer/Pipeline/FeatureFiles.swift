import FERBackbones
import FERData
import FERFusion
import FERTensor
import Foundation

/// Features of a trained backbone on a dataset split, extracted once (with
/// each image's mirror image) and kept beside its checkpoint, in
/// `features/<checkpoint>-<split>-<fingerprint>.safetensors`. The
/// fingerprint covers the checkpoint file (size and date) and the split's
/// image ids, so a retrained backbone or other data never reuse stale features.
struct FeatureFiles {
    /// The backbone's checkpoint.
    var checkpoint: URL

    /// The features of `split`, read from the cache or extracted (and cached).
    func features(
        of model: any Backbone, configuration: ClassifierConfiguration, split: FERDataset, splitName: String
    ) throws -> BackboneFeatures {
        let file = try cacheFile(split: split, splitName: splitName)
        if let cached = try? BackboneFeatures(contentsOf: file) { return cached }
        let rows = 2 * split.count
        // The features and logits of every view, held twice while they are concatenated.
        try MemoryBudget.check(
            2 * rows * (model.featureWidth + model.classCount) * MemoryLayout<Float>.stride,
            for: "extracting \(configuration.architecture) features of \(rows) views")
        let batches = ImageBatches.evaluation(split, preprocessing: configuration.preprocessing).epoch()
        var lastShown = 0
        let features = try BackboneFeatures.extract(
            from: model, architecture: configuration.architecture, classNames: configuration.classNames, batches: batches,
            addingFlippedViews: true
        ) { done in
            if done == rows || done - lastShown >= 2048 {
                lastShown = done
                log("extracting \(configuration.architecture) features of the \(splitName) split: \(done)/\(rows) views")
            }
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try features.write(to: file)
        return features
    }

    /// Where the features of `split` are cached.
    func cacheFile(split: FERDataset, splitName: String) throws -> URL {
        let attributes = try FileManager.default.attributesOfItem(atPath: checkpoint.path)
        var hash = FNV1a()
        hash.add("\(attributes[.size] ?? 0) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)")
        for sample in split.samples { hash.add(sample.id) }
        let stem = checkpoint.deletingPathExtension().lastPathComponent
        return checkpoint.deletingLastPathComponent().appendingPathComponent("features")
            .appendingPathComponent("\(stem)-\(splitName)-\(String(hash.value, radix: 16)).safetensors")
    }
}

/// 64-bit FNV-1a, a stable (unlike `Hasher`) fingerprint of text.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 + [0] {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
    }
}
