import FERTensor

/// One step of a preprocessing or augmentation pipeline.
///
/// Transforms take and return `[channels, height, width]` tensors; before
/// `Normalize` the values are in [0, 1]. Random transforms draw only from the
/// generator they are given, so a seeded generator per sample reproduces a
/// batch exactly, whichever worker thread prepares it.
public protocol ImageTransform: Sendable {
    /// The transformed image.
    func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor
}

/// Transforms applied one after another (torchvision's `Compose`).
public struct Compose: ImageTransform {
    /// The steps, first to last.
    public var transforms: [any ImageTransform]

    /// A pipeline of `transforms`, applied in order.
    public init(_ transforms: [any ImageTransform]) {
        self.transforms = transforms
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        transforms.reduce(image) { $1.apply($0, using: &generator) }
    }
}

extension Compose {
    /// The Fusion Attention Network paper's training augmentation: resize to
    /// `size` x `size`, horizontal flip (p = 0.5), rotation by a uniform angle
    /// in [-30, 30] degrees, removal of saturation (a blend toward grayscale
    /// of uniform strength in [0, 1]), then normalisation with ImageNet's
    /// statistics.
    public static func paperTraining(size: Int = 100) -> Compose {
        Compose([
            Resize(height: size, width: size),
            HorizontalFlip(probability: 0.5),
            RandomRotation(degrees: -30...30),
            Desaturate(strength: 0...1),
            Normalize.imageNet,
        ])
    }

    /// LANMSFF's training augmentation for `size` x `size` grayscale input:
    /// grayscale conversion, a random crop of 80-100% of the area (aspect
    /// 0.9-1.1) resized to `size`, horizontal flip (p = 0.5), rotation in
    /// [-15, 15] degrees, normalisation to [-1, 1].
    public static func lanmsffTraining(size: Int = 64) -> Compose {
        Compose([
            Grayscale(outputChannels: 1),
            RandomResizedCrop(height: size, width: size, scale: 0.8...1, ratio: 0.9...1.1),
            HorizontalFlip(probability: 0.5),
            RandomRotation(degrees: -15...15),
            Normalize(mean: [0.5], standardDeviation: [0.5]),
        ])
    }

    /// LANMSFF's evaluation preprocessing: grayscale, resize to `size`, normalise to [-1, 1].
    public static func lanmsffEvaluation(size: Int = 64) -> Compose {
        Compose([Grayscale(outputChannels: 1), Resize(height: size, width: size), Normalize(mean: [0.5], standardDeviation: [0.5])])
    }

    /// Evaluation preprocessing: resize to `size` x `size` and normalise with
    /// ImageNet's statistics (1-channel images use their mean).
    public static func evaluation(size: Int = 100) -> Compose {
        Compose([Resize(height: size, width: size), Normalize.imageNet])
    }
}

/// Shape checks shared by the transforms.
enum ImageShape {
    /// (channels, height, width) of a `[C, H, W]` image tensor.
    static func of(_ image: Tensor, in transform: String) -> (channels: Int, height: Int, width: Int) {
        precondition(image.rank == 3, "\(transform): expected a [channels, height, width] image, got shape \(image.shape)")
        return (image.shape[0], image.shape[1], image.shape[2])
    }
}
