import FERNN
import FERTensor
import Foundation

/// A batch of preprocessed images with their labels and ids: what the
/// feature cache and the evaluation read (FERFusion takes tensors, not files).
public struct LabelledImages {
    /// `[N, C, H, W]`, normalised as the backbones expect.
    public var images: Tensor
    /// Class index of each image.
    public var labels: [Int]
    /// Identifier of each image (file name or row).
    public var ids: [String]

    /// A batch; `labels` and `ids` have one entry per image.
    public init(images: Tensor, labels: [Int], ids: [String]) {
        precondition(
            images.rank == 4 && labels.count == images.shape[0] && ids.count == images.shape[0],
            "LabelledImages: \(labels.count) labels and \(ids.count) ids for images \(images.shape)")
        self.images = images
        self.labels = labels
        self.ids = ids
    }
}

/// Features of a labelled image set from two frozen backbones, extracted
/// once and saved as safetensors, so that heads that do not fine-tune the
/// backbones train from them in seconds.
///
/// Each row is one view of one image: the caller's loader may give several
/// augmented views of an image (one pass per view), and `extract` can add
/// each image's horizontally flipped view (`flipped` marks those rows).
/// Logits of the backbones' own classifiers are kept for late fusion.
public struct FeatureCache {
    /// First backbone's features, `[rows, d1]`.
    public var first: Tensor
    /// Second backbone's features, `[rows, d2]`.
    public var second: Tensor
    /// First backbone's class logits, `[rows, classes]`.
    public var firstLogits: Tensor
    /// Second backbone's class logits, `[rows, classes]`.
    public var secondLogits: Tensor
    /// Label of each row.
    public var labels: [Int]
    /// Image id of each row (repeated for several views of one image).
    public var ids: [String]
    /// Whether each row is a horizontally flipped view.
    public var flipped: [Bool]
    /// Class names, indexed by the labels.
    public var classNames: [String]

    /// Number of rows.
    public var count: Int { labels.count }

    /// A cache of rows computed elsewhere (`flipped` defaults to none).
    ///
    /// - Precondition: every tensor is 2-D with one row per label, the logits
    ///   have one column per class, and every label is a class index.
    public init(
        first: Tensor, second: Tensor, firstLogits: Tensor, secondLogits: Tensor, labels: [Int], ids: [String],
        flipped: [Bool]? = nil, classNames: [String]
    ) {
        let rows = labels.count
        precondition(
            [first, second, firstLogits, secondLogits].allSatisfy { $0.rank == 2 && $0.shape[0] == rows }
                && ids.count == rows && (flipped?.count ?? rows) == rows,
            "FeatureCache: \(rows) labels need as many ids and rows, got features \(first.shape), \(second.shape), "
                + "logits \(firstLogits.shape), \(secondLogits.shape), \(ids.count) ids")
        precondition(
            firstLogits.shape[1] == classNames.count && secondLogits.shape[1] == classNames.count,
            "FeatureCache: logits \(firstLogits.shape) and \(secondLogits.shape) need \(classNames.count) columns, one per class")
        precondition(labels.allSatisfy(classNames.indices.contains), "FeatureCache: labels must lie in 0..<\(classNames.count)")
        self.first = first
        self.second = second
        self.firstLogits = firstLogits
        self.secondLogits = secondLogits
        self.labels = labels
        self.ids = ids
        self.flipped = flipped ?? Array(repeating: false, count: rows)
        self.classNames = classNames
    }

    /// Runs `model`'s backbones (without recording gradients) over every
    /// batch of `batches`, and with `addingFlippedViews` over each batch
    /// flipped left to right too; `progress` receives the rows done so far.
    public static func extract(
        from model: FusionModel, batches: some Sequence<LabelledImages>, addingFlippedViews: Bool = false,
        progress: (Int) -> Void = { _ in }
    ) -> FeatureCache {
        model.first.eval()
        model.second.eval()
        var parts: [(FusionInput, LabelledImages, Bool)] = []
        var rows = 0
        for batch in batches {
            let views = addingFlippedViews ? [(batch.images, false), (flippedHorizontally(batch.images), true)] : [(batch.images, false)]
            for (images, isFlipped) in views {
                let input = noGrad { features(of: model, images: Variable(images)) }
                parts.append((input, batch, isFlipped))
                rows += batch.labels.count
                progress(rows)
            }
        }
        func stacked(_ key: (FusionInput) -> Variable?) -> Tensor {
            Tensor.concatenated(parts.map { key($0.0)!.value }, axis: 0)
        }
        precondition(!parts.isEmpty, "FeatureCache.extract: no batches")
        return FeatureCache(
            first: stacked(\.first), second: stacked(\.second), firstLogits: stacked(\.firstLogits),
            secondLogits: stacked(\.secondLogits), labels: parts.flatMap(\.1.labels), ids: parts.flatMap(\.1.ids),
            flipped: parts.flatMap { Array(repeating: $0.2, count: $0.1.labels.count) }, classNames: model.classNames)
    }

    /// Features and logits of both backbones for `images`.
    private static func features(of model: FusionModel, images: Variable) -> FusionInput {
        let first = model.first.features(images), second = model.second.features(images)
        return FusionInput(
            first: first, second: second, firstLogits: model.first.logits(fromFeatures: first),
            secondLogits: model.second.logits(fromFeatures: second))
    }

    /// The head's input for rows `indices` (features and logits).
    public func input(rows indices: [Int]) -> FusionInput {
        FusionInput(
            first: Variable(first.indexSelected(axis: 0, indices: indices)),
            second: Variable(second.indexSelected(axis: 0, indices: indices)),
            firstLogits: Variable(firstLogits.indexSelected(axis: 0, indices: indices)),
            secondLogits: Variable(secondLogits.indexSelected(axis: 0, indices: indices)))
    }

    /// The rows `indices` as a cache of their own (e.g. the unflipped ones).
    public func subset(rows indices: [Int]) -> FeatureCache {
        FeatureCache(
            first: first.indexSelected(axis: 0, indices: indices), second: second.indexSelected(axis: 0, indices: indices),
            firstLogits: firstLogits.indexSelected(axis: 0, indices: indices),
            secondLogits: secondLogits.indexSelected(axis: 0, indices: indices), labels: indices.map { labels[$0] },
            ids: indices.map { ids[$0] }, flipped: indices.map { flipped[$0] }, classNames: classNames)
    }
}

/// `[N, C, H, W]` images mirrored along the width.
func flippedHorizontally(_ images: Tensor) -> Tensor {
    images.indexSelected(axis: 3, indices: Array((0..<images.shape[3]).reversed()))
}
