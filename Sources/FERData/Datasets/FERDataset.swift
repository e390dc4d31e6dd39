import Foundation

/// Where one sample's pixels are.
public enum SampleSource: Sendable, Equatable {
    /// A JPEG or PNG file.
    case file(URL)
    /// Pixels already in memory (e.g. a row of the FER-2013 CSV).
    case pixels(Image)
}

/// One labelled image of a dataset.
public struct Sample: Sendable, Equatable {
    /// Stable identifier: the file name or the row number.
    public var id: String
    /// Where the pixels are.
    public var source: SampleSource
    /// Class index into the dataset's `classNames`.
    public var label: Int
    /// Optional distribution over the classes (e.g. FERPlus annotator votes), summing to 1.
    public var softLabel: [Float]?

    /// A sample with an optional soft label.
    public init(id: String, source: SampleSource, label: Int, softLabel: [Float]? = nil) {
        self.id = id
        self.source = source
        self.label = label
        self.softLabel = softLabel
    }

    /// The sample's pixels, decoded if they live in a file.
    public func image(maxPixels: Int = Image.defaultPixelLimit) throws -> Image {
        switch source {
        case .file(let url): try Image(contentsOf: url, maxPixels: maxPixels)
        case .pixels(let image): image
        }
    }
}

/// The splits dataset sources know.
public enum DatasetSplit: String, Sendable, CaseIterable, CustomStringConvertible {
    case train, validation, test

    public var description: String { rawValue }
}

/// A list of labelled samples with its class names: what every dataset
/// source produces and the loader consumes.
public struct FERDataset: Sendable {
    /// Human-readable name, e.g. "RAF-DB basic (train)".
    public var name: String
    /// Class names, indexed by `Sample.label`.
    public var classNames: [String]
    /// The samples, in the source's order.
    public var samples: [Sample]

    /// A dataset of `samples` over `classNames`.
    public init(name: String, classNames: [String], samples: [Sample]) {
        self.name = name
        self.classNames = classNames
        self.samples = samples
    }

    /// Number of samples.
    public var count: Int { samples.count }

    /// Samples per class, indexed like `classNames`.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for sample in samples { counts[sample.label] += 1 }
        return counts
    }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int], name: String? = nil) -> FERDataset {
        FERDataset(name: name ?? self.name, classNames: classNames, samples: indices.map { samples[$0] })
    }

    /// Class weights `count / (classes * classCount)` (scikit-learn's
    /// "balanced"), 0 for classes without samples.
    public var balancedClassWeights: [Float] {
        let counts = classCounts
        return counts.map { $0 == 0 ? 0 : Float(count) / Float(classNames.count * $0) }
    }
}
