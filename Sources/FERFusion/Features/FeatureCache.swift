import FERBackbones
import FERNN
import FERTensor

/// The features of two frozen backbones on the same rows: what fusion heads
/// that do not fine-tune the backbones train and evaluate on.
///
/// Each backbone's features are extracted and stored on their own
/// (`BackboneFeatures`), so a backbone that takes part in several pairs
/// (ResNet34 in three of the paper's four) is run once.
public struct FeatureCache {
    /// The first backbone's features and logits.
    public var first: BackboneFeatures
    /// The second backbone's features and logits.
    public var second: BackboneFeatures

    /// Pairs two backbones' features of the same rows.
    ///
    /// - Throws: `FeatureCacheError.unpaired` when the row ids, labels,
    ///   flipped marks or class names differ.
    public init(first: BackboneFeatures, second: BackboneFeatures) throws {
        for (what, same) in [
            ("class names", first.classNames == second.classNames), ("row ids", first.ids == second.ids),
            ("labels", first.labels == second.labels), ("flipped views", first.flipped == second.flipped),
        ] where !same {
            throw FeatureCacheError.unpaired(
                reason: "\(first.architecture) (\(first.count) rows) and \(second.architecture) (\(second.count) rows) differ in their \(what)")
        }
        self.init(pairing: first, with: second)
    }

    /// Two halves known to describe the same rows.
    private init(pairing first: BackboneFeatures, with second: BackboneFeatures) {
        self.first = first
        self.second = second
    }

    /// Extracts both backbones' features of `model` over `batches` (see `BackboneFeatures.extract`).
    public static func extract(
        from model: FusionModel, batches: [LabelledImages], addingFlippedViews: Bool = false
    ) throws -> FeatureCache {
        func features(_ backbone: any Backbone, _ index: Int) throws -> BackboneFeatures {
            let name = model.configuration.map { index == 0 ? $0.firstBackbone : $0.secondBackbone } ?? "backbone\(index + 1)"
            return try BackboneFeatures.extract(
                from: backbone, architecture: name, classNames: model.classNames, batches: BatchSequence(batches),
                addingFlippedViews: addingFlippedViews)
        }
        return try FeatureCache(first: features(model.first, 0), second: features(model.second, 1))
    }

    /// Number of rows.
    public var count: Int { first.count }
    /// Label of each row.
    public var labels: [Int] { first.labels }
    /// Image id of each row.
    public var ids: [String] { first.ids }
    /// Whether each row is a horizontally flipped view.
    public var flipped: [Bool] { first.flipped }
    /// Class names, indexed by the labels.
    public var classNames: [String] { first.classNames }

    /// The head's input for rows `indices` (features and logits).
    public func input(rows indices: [Int]) -> FusionInput {
        FusionInput(
            first: Variable(first.features.indexSelected(axis: 0, indices: indices)),
            second: Variable(second.features.indexSelected(axis: 0, indices: indices)),
            firstLogits: Variable(first.logits.indexSelected(axis: 0, indices: indices)),
            secondLogits: Variable(second.logits.indexSelected(axis: 0, indices: indices)))
    }

    /// The rows `indices` as a cache of their own (e.g. the unflipped ones).
    public func subset(rows indices: [Int]) -> FeatureCache {
        FeatureCache(pairing: first.subset(rows: indices), with: second.subset(rows: indices))
    }
}
