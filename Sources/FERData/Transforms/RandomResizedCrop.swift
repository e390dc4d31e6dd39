import Foundation
import FERTensor

/// Crops a random region and resizes it to `height` x `width`
/// (torchvision's `RandomResizedCrop`): the region covers a uniform fraction
/// `scale` of the image's area, with an aspect ratio drawn log-uniformly
/// from `ratio`, at a uniform position. After ten draws that do not fit, it
/// falls back to the largest central crop within `ratio`.
public struct RandomResizedCrop: ImageTransform {
    /// Output rows and columns.
    public var height: Int, width: Int
    /// Range of the region's area as a fraction of the image's.
    public var scale: ClosedRange<Float>
    /// Range of the region's width-to-height ratio.
    public var ratio: ClosedRange<Float>

    /// Random crops of `scale` of the area and `ratio` aspect, resized to `height` x `width`.
    public init(height: Int, width: Int, scale: ClosedRange<Float> = 0.08...1, ratio: ClosedRange<Float> = 0.75...(4 / 3)) {
        precondition(height > 0 && width > 0, "RandomResizedCrop: size must be positive, got \(height)x\(width)")
        precondition(scale.lowerBound > 0 && scale.upperBound <= 1 && ratio.lowerBound > 0,
                     "RandomResizedCrop: scale must lie in (0, 1] and ratio be positive, got \(scale) and \(ratio)")
        self.height = height
        self.width = width
        self.scale = scale
        self.ratio = ratio
    }

    public func apply(_ image: Tensor, using generator: inout RandomGenerator) -> Tensor {
        let (_, inputHeight, inputWidth) = ImageShape.of(image, in: "RandomResizedCrop")
        let region = self.region(height: inputHeight, width: inputWidth, using: &generator)
        let cropped = crop(image, top: region.top, left: region.left, height: region.height, width: region.width)
        return Resize(height: height, width: width).apply(cropped, using: &generator)
    }

    /// The crop region for an image of `height` x `width`.
    func region(height: Int, width: Int, using generator: inout RandomGenerator) -> (top: Int, left: Int, height: Int, width: Int) {
        let area = Float(height * width)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * (scale.lowerBound + generator.nextUniform() * (scale.upperBound - scale.lowerBound))
            let aspect = exp(logRatio.lowerBound + generator.nextUniform() * (logRatio.upperBound - logRatio.lowerBound))
            let cropWidth = Int((target * aspect).squareRoot().rounded()), cropHeight = Int((target / aspect).squareRoot().rounded())
            guard (1...width).contains(cropWidth), (1...height).contains(cropHeight) else { continue }
            let top = Int(generator.next() % UInt64(height - cropHeight + 1))
            let left = Int(generator.next() % UInt64(width - cropWidth + 1))
            return (top, left, cropHeight, cropWidth)
        }
        let aspect = Float(width) / Float(height)
        let (cropWidth, cropHeight) = aspect < ratio.lowerBound
            ? (width, Int((Float(width) / ratio.lowerBound).rounded()))
            : aspect > ratio.upperBound ? (Int((Float(height) * ratio.upperBound).rounded()), height) : (width, height)
        return ((height - cropHeight) / 2, (width - cropWidth) / 2, cropHeight, cropWidth)
    }
}
