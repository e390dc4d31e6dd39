import Foundation

/// RAF-DB's basic-expression set in its official layout:
///
///     ROOT/EmoLabel/list_patition_label.txt    lines "train_00001.jpg 5"
///     ROOT/Image/aligned/train_00001_aligned.jpg   (also Image/aligned/aligned/)
///     ROOT/Image/original/train_00001.jpg
///
/// The split comes from the `train`/`test` prefix of each name; labels 1...7
/// (surprise, fear, disgust, happiness, sadness, anger, neutral) become the
/// canonical 0...6.
public struct RAFDB: Sendable {
    /// Which image folder to read.
    public enum Variant: String, Sendable {
        /// 100x100 aligned faces (`Image/aligned`).
        case aligned
        /// The original photographs (`Image/original`).
        case original
    }

    /// The dataset's root directory.
    public var root: URL
    /// Aligned or original images.
    public var variant: Variant

    /// RAF-DB at `root`.
    public init(root: URL, variant: Variant = .aligned) {
        self.root = root
        self.variant = variant
    }

    /// The label file, relative to the root.
    public static let labelFile = "EmoLabel/list_patition_label.txt"

    /// The samples of `split`, checking that every listed image exists.
    /// RAF-DB has train and test only: `.validation` is an empty split
    /// (carve one from train with `FERDataset.stratifiedSplit`).
    public func load(_ split: DatasetSplit) throws -> FERDataset {
        let labelURL = root.appendingPathComponent(Self.labelFile)
        let lines = try TextLines(contentsOf: labelURL)
        let imageDirectory = try imageDirectory()
        var samples: [Sample] = []
        for (number, line) in lines.numbered {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count == 2 else {
                throw DatasetError.malformedLine(file: labelURL.path, line: number, reason: "expected \"<name>.jpg <label>\", got \"\(line)\"")
            }
            let name = String(fields[0])
            guard let value = Int(fields[1]), let expression = Expression(rafdbLabel: value) else {
                throw DatasetError.unknownLabel(file: labelURL.path, line: number, label: String(fields[1]))
            }
            guard name.hasPrefix("train_") || name.hasPrefix("test_") else {
                throw DatasetError.malformedLine(file: labelURL.path, line: number, reason: "\(name) starts with neither train_ nor test_")
            }
            guard name.hasPrefix(split.rawValue + "_") else { continue }
            let stem = (name as NSString).deletingPathExtension
            let fileName = variant == .aligned ? stem + "_aligned.jpg" : name
            let url = imageDirectory.appendingPathComponent(fileName)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw DatasetError.missingImage(file: labelURL.path, line: number, image: url.path)
            }
            samples.append(Sample(id: stem, source: .file(url), label: expression.rawValue))
        }
        guard !samples.isEmpty else { throw DatasetError.emptySplit(source: labelURL.path, split: split.rawValue) }
        return FERDataset(name: "RAF-DB basic (\(split))", classNames: Expression.names, samples: samples)
    }

    /// `Image/<variant>`, or the `Image/<variant>/<variant>` nesting common in copies.
    private func imageDirectory() throws -> URL {
        let direct = root.appendingPathComponent("Image").appendingPathComponent(variant.rawValue)
        let nested = direct.appendingPathComponent(variant.rawValue)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: nested.path, isDirectory: &isDirectory), isDirectory.boolValue { return nested }
        if FileManager.default.fileExists(atPath: direct.path, isDirectory: &isDirectory), isDirectory.boolValue { return direct }
        throw DatasetError.missing(path: direct.path, what: "RAF-DB image directory")
    }
}
