import FERBackbones
import FERNN
import FERTensor

/// A batch of preprocessed images with their labels and ids: what feature
/// extraction and evaluation read (FERFusion takes tensors, not files).
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

/// What one frozen backbone computes for a labelled image set, extracted
/// once and kept (as a safetensors file) so that fusion heads pairing it
/// with any other backbone train from it in seconds.
///
/// Each row is one view of one image: the caller's loader may give several
/// augmented views of an image (one pass per view), and `extract` can add
/// each image's horizontally flipped view (`flipped` marks those rows).
/// The backbone's own class logits are kept for late fusion.
public struct BackboneFeatures: Equatable {
    /// Architecture of the backbone (`resnet18`, ...).
    public var architecture: String
    /// Pooled features, `[rows, featureWidth]`.
    public var features: Tensor
    /// The backbone's class logits, `[rows, classes]`.
    public var logits: Tensor
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

    /// Rows computed elsewhere (`flipped` defaults to none).
    ///
    /// - Precondition: both tensors are 2-D with one row per label, the
    ///   logits have one column per class, and every label is a class index.
    public init(
        architecture: String, features: Tensor, logits: Tensor, labels: [Int], ids: [String], flipped: [Bool]? = nil,
        classNames: [String]
    ) {
        let rows = labels.count
        precondition(
            features.rank == 2 && features.shape[0] == rows && logits.rank == 2 && logits.shape[0] == rows
                && ids.count == rows && (flipped?.count ?? rows) == rows,
            "BackboneFeatures: \(rows) labels need as many ids and rows, got features \(features.shape), logits \(logits.shape), \(ids.count) ids")
        precondition(logits.shape[1] == classNames.count, "BackboneFeatures: logits \(logits.shape) need \(classNames.count) columns")
        precondition(labels.allSatisfy(classNames.indices.contains), "BackboneFeatures: labels must lie in 0..<\(classNames.count)")
        self.architecture = architecture
        self.features = features
        self.logits = logits
        self.labels = labels
        self.ids = ids
        self.flipped = flipped ?? Array(repeating: false, count: rows)
        self.classNames = classNames
    }

    /// Runs `backbone` in evaluation mode, without recording gradients, over
    /// every batch of `batches`, and with `addingFlippedViews` over each
    /// batch flipped left to right too; `progress` receives the rows done so far.
    ///
    /// - Throws: what the batch source throws.
    public static func extract(
        from backbone: any Backbone, architecture: String, classNames: [String], batches: BatchSequence<LabelledImages>,
        addingFlippedViews: Bool = false, progress: (Int) -> Void = { _ in }
    ) throws -> BackboneFeatures {
        precondition(classNames.count == backbone.classCount, "BackboneFeatures.extract: \(classNames.count) class names for \(backbone.classCount) classes")
        let wasTraining = backbone.isTraining
        backbone.eval()
        defer { backbone.train(wasTraining) }
        var features: [Tensor] = [], logits: [Tensor] = [], labels: [Int] = [], ids: [String] = [], flipped: [Bool] = []
        while let batch = try batches.next() {
            for mirrored in addingFlippedViews ? [false, true] : [false] {
                let images = mirrored ? flippedHorizontally(batch.images) : batch.images
                let pooled = noGrad { backbone.features(Variable(images)) }
                features.append(pooled.value)
                logits.append(noGrad { backbone.logits(fromFeatures: pooled) }.value)
                labels += batch.labels
                ids += batch.ids
                flipped += Array(repeating: mirrored, count: batch.labels.count)
                progress(labels.count)
            }
        }
        return BackboneFeatures(
            architecture: architecture,
            features: features.isEmpty ? Tensor.zeros([0, backbone.featureWidth]) : Tensor.concatenated(features, axis: 0),
            logits: logits.isEmpty ? Tensor.zeros([0, backbone.classCount]) : Tensor.concatenated(logits, axis: 0),
            labels: labels, ids: ids, flipped: flipped, classNames: classNames)
    }

    /// The rows `indices` as features of their own (e.g. the unflipped ones).
    public func subset(rows indices: [Int]) -> BackboneFeatures {
        BackboneFeatures(
            architecture: architecture, features: features.indexSelected(axis: 0, indices: indices),
            logits: logits.indexSelected(axis: 0, indices: indices), labels: indices.map { labels[$0] },
            ids: indices.map { ids[$0] }, flipped: indices.map { flipped[$0] }, classNames: classNames)
    }
}

/// `[N, C, H, W]` images mirrored along the width.
func flippedHorizontally(_ images: Tensor) -> Tensor {
    images.indexSelected(axis: 3, indices: Array((0..<images.shape[3]).reversed()))
}
