import ArgumentParser
import FERData
import FERFusion
import FERTensor

/// The augmentation presets `--augment` names.
enum AugmentationPreset: String, ExpressibleByArgument, CaseIterable {
    /// The Fusion Attention Network paper's: flip, rotation in [-30, 30] degrees, desaturation.
    case paper
    /// LANMSFF's: scale crop, flip, rotation in [-15, 15] degrees.
    case lanmsff
    /// None: resize and normalise only.
    case none

    /// The preset for a model that reads `preprocessing`'s input: the
    /// augmentation at its size, then its normalisation.
    func transform(for preprocessing: Preprocessing) -> any ImageTransform {
        let size = preprocessing.size
        let normalize = Normalize(mean: preprocessing.mean, standardDeviation: preprocessing.standardDeviation)
        return switch self {
        case .paper:
            Compose([
                Resize(height: size, width: size), HorizontalFlip(probability: 0.5), RandomRotation(degrees: -30...30),
                Desaturate(strength: 0...1), normalize,
            ])
        case .lanmsff:
            Compose([
                RandomResizedCrop(height: size, width: size, scale: 0.8...1, ratio: 0.9...1.1), HorizontalFlip(probability: 0.5),
                RandomRotation(degrees: -15...15), normalize,
            ])
        case .none: evaluationTransform(for: preprocessing)
        }
    }
}

/// Resize to the model's size and normalise as it expects.
func evaluationTransform(for preprocessing: Preprocessing) -> any ImageTransform {
    Compose([
        Resize(height: preprocessing.size, width: preprocessing.size),
        Normalize(mean: preprocessing.mean, standardDeviation: preprocessing.standardDeviation),
    ])
}

/// Batches of preprocessed images from a dataset, through the parallel loader.
struct ImageBatches {
    var dataset: FERDataset
    var transform: any ImageTransform
    var preprocessing: Preprocessing
    var batchSize: Int
    var order: SamplingOrder
    var seed: UInt64

    /// Shuffled, augmented batches for training.
    static func training(
        _ dataset: FERDataset, preprocessing: Preprocessing, augmentation: AugmentationPreset, batchSize: Int, seed: UInt64
    ) -> ImageBatches {
        ImageBatches(
            dataset: dataset, transform: augmentation.transform(for: preprocessing), preprocessing: preprocessing,
            batchSize: batchSize, order: .shuffled, seed: seed)
    }

    /// Batches in the dataset's order without augmentation, for evaluation and feature extraction.
    static func evaluation(_ dataset: FERDataset, preprocessing: Preprocessing, batchSize: Int = 64) -> ImageBatches {
        ImageBatches(
            dataset: dataset, transform: evaluationTransform(for: preprocessing), preprocessing: preprocessing,
            batchSize: batchSize, order: .sequential, seed: 0)
    }

    /// The batches of (0-based) `epoch`, decoded and transformed in the background.
    func epoch(_ epoch: Int = 0) -> BatchSequence<LabelledImages> {
        let loader = DataLoader(
            dataset: dataset, transform: transform, batchSize: batchSize, order: order, seed: seed, channels: preprocessing.channels)
        let batches = loader.batches(epoch: epoch)
        return BatchSequence(count: batches.count) {
            try batches.next().map { LabelledImages(images: $0.images, labels: $0.labels, ids: $0.ids) }
        }
    }
}
