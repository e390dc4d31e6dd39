import Foundation

/// FER-2013 as Kaggle distributes it: one CSV (`fer2013.csv`) with columns
/// `emotion,pixels,Usage`, each row a 48x48 grayscale face as 2,304
/// space-separated values.
///
/// `emotion` 0...6 (angry, disgust, fear, happy, sad, surprise, neutral)
/// maps to the canonical order; `Usage` `Training`, `PublicTest` and
/// `PrivateTest` are the train, validation and test splits. Columns are
/// found by name, so the `icml_face_data.csv` variant (`emotion, Usage,
/// pixels`) reads too. Sample ids are `fer0000000`-style row numbers, the
/// names FERPlus gives the same rows.
public struct FER2013: Sendable {
    /// The CSV file.
    public var csv: URL

    /// FER-2013 read from `csv`.
    public init(csv: URL) {
        self.csv = csv
    }

    /// FER-2013's label order: `emotion` value `i` is `labelOrder[i]`.
    public static let labelOrder: [Expression] = [.anger, .disgust, .fear, .happiness, .sadness, .surprise, .neutral]

    /// `Usage` values and the splits they stand for.
    public static let usageSplits: [String: DatasetSplit] = [
        "Training": .train, "PublicTest": .validation, "PrivateTest": .test,
    ]

    /// The samples of `split`, with their pixels decoded from the CSV.
    public func load(_ split: DatasetSplit) throws -> FERDataset {
        let file = try CSVFile(contentsOf: csv)
        let emotion = try file.column("emotion")
        var samples: [Sample] = []
        for row in try Self.rows(of: file) where row.split == split {
            let text = file.text(row.row, emotion)
            guard let value = Int(text), Self.labelOrder.indices.contains(value) else {
                throw DatasetError.unknownLabel(file: csv.path, line: row.row.line, label: text)
            }
            samples.append(Sample(id: row.id, source: .pixels(try row.image()), label: Self.labelOrder[value].rawValue))
        }
        guard !samples.isEmpty else { throw DatasetError.emptySplit(source: csv.path, split: split.rawValue) }
        return FERDataset(name: "FER-2013 (\(split))", classNames: Expression.names, samples: samples)
    }

    /// One data row of the CSV with its split and a decoder for its pixels.
    struct Row {
        let row: CSVFile.Row
        /// `fer` and the 0-based row number, seven digits.
        let id: String
        let split: DatasetSplit
        let image: () throws -> Image
    }

    /// Every data row of `file`, with usage checked and pixels decoded on demand.
    static func rows(of file: CSVFile) throws -> [Row] {
        let usage = try file.column("Usage"), pixels = try file.column("pixels")
        return try file.rows.enumerated().map { index, row in
            let text = file.text(row, usage)
            guard let split = usageSplits[text] else {
                throw DatasetError.malformedLine(
                    file: file.url.path, line: row.line,
                    reason: "Usage \"\(text)\" is none of \(usageSplits.keys.sorted().joined(separator: ", "))")
            }
            return Row(row: row, id: String(format: "fer%07d", index), split: split) {
                try grayscaleImage(from: file.field(row, pixels), file: file.url.path, line: row.line)
            }
        }
    }

    /// A square grayscale image from space-separated values 0...255.
    static func grayscaleImage(from field: ArraySlice<UInt8>, file: String, line: Int) throws -> Image {
        var values: [UInt8] = []
        values.reserveCapacity(48 * 48)
        try field.withUnsafeBufferPointer { text in
            var current = 0, inNumber = false
            for byte in text {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    current = current * 10 + Int(byte &- UInt8(ascii: "0"))
                    inNumber = true
                    guard current <= 255 else {
                        throw DatasetError.malformedLine(file: file, line: line, reason: "pixel value \(current)... above 255")
                    }
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    if inNumber { values.append(UInt8(current)) }
                    current = 0
                    inNumber = false
                default:
                    throw DatasetError.malformedLine(
                        file: file, line: line, reason: "pixels contain \"\(Character(Unicode.Scalar(byte)))\"")
                }
            }
            if inNumber { values.append(UInt8(current)) }
        }
        let side = Int(Double(values.count).squareRoot().rounded())
        guard side > 0, side * side == values.count else {
            throw DatasetError.malformedLine(
                file: file, line: line, reason: "\(values.count) pixel values do not form a square image (48x48 = 2304)")
        }
        return Image(width: side, height: side, channels: 1, pixels: values)
    }
}
