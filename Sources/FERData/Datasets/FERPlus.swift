import Foundation

/// FERPlus: FER-2013's images relabelled by ten annotators each
/// (Microsoft's `fer2013new.csv`, columns `Usage, Image name, neutral,
/// happiness, surprise, sadness, anger, disgust, fear, contempt, unknown,
/// NF`), joined row by row with `fer2013.csv` for the pixels.
///
/// Labels follow the FERPlus repository's majority mode: votes of 1 are
/// dropped as outliers, a face is kept when one column holds more than half
/// of the remaining votes and that column is an emotion (not `unknown` or
/// `NF`, "not a face"); rows without an image name are skipped. Classes are
/// the seven canonical expressions then `contempt`. Each sample's
/// `softLabel` is its vote distribution over those eight classes (outliers
/// dropped).
public struct FERPlus: Sendable {
    /// `fer2013.csv`, which holds the pixels.
    public var fer2013: URL
    /// `fer2013new.csv`, which holds the votes.
    public var votes: URL

    /// FERPlus from the original CSV and the vote CSV.
    public init(fer2013: URL, votes: URL) {
        self.fer2013 = fer2013
        self.votes = votes
    }

    /// The vote columns, in the file's order.
    public static let voteColumns = [
        "neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt", "unknown", "NF",
    ]

    /// The classes FERPlus labels map to: the canonical seven, then contempt.
    public static let classNames = Expression.names + ["contempt"]

    /// Class index (into `classNames`) of each emotion vote column; `unknown` and `NF` have none.
    static let classOfVoteColumn: [Int] = voteColumns.prefix(8).map {
        Expression(name: $0)?.rawValue ?? Expression.allCases.count
    }

    /// The vote column that wins by FERPlus's majority rule, or nil when no
    /// column holds more than half of the votes left after dropping single votes.
    public static func majorityColumn(votes: [Int]) -> Int? {
        let kept = votes.map { $0 <= 1 ? 0 : $0 }
        let total = kept.reduce(0, +)
        guard let top = kept.max(), top > 0, 2 * top > total else { return nil }
        return kept.firstIndex(of: top)
    }

    /// The faces of `split` that have a majority emotion.
    public func load(_ split: DatasetSplit) throws -> FERDataset {
        let pixelFile = try CSVFile(contentsOf: fer2013), voteFile = try CSVFile(contentsOf: votes)
        let pixelRows = try FER2013.rows(of: pixelFile)
        guard voteFile.rows.count == pixelRows.count else {
            throw DatasetError.malformedLine(
                file: votes.path, line: 1,
                reason: "\(voteFile.rows.count) rows, \(fer2013.lastPathComponent) has \(pixelRows.count): the files must pair row by row")
        }
        let usage = try voteFile.column("Usage"), name = try voteFile.column("Image name")
        let voteIndices = try Self.voteColumns.map { try voteFile.column($0) }
        var samples: [Sample] = []
        for (pixelRow, voteRow) in zip(pixelRows, voteFile.rows) {
            let usageText = voteFile.text(voteRow, usage)
            guard FER2013.usageSplits[usageText] == pixelRow.split else {
                throw DatasetError.malformedLine(
                    file: votes.path, line: voteRow.line,
                    reason: "Usage \"\(usageText)\" but \(fer2013.lastPathComponent):\(pixelRow.row.line) is \(pixelRow.split)")
            }
            let imageName = voteFile.text(voteRow, name)
            guard pixelRow.split == split, !imageName.isEmpty else { continue }
            let counts = try voteIndices.map { column in
                let text = voteFile.text(voteRow, column)
                guard let count = Int(text), count >= 0 else {
                    throw DatasetError.malformedLine(
                        file: votes.path, line: voteRow.line, reason: "vote count \"\(text)\" is not a whole number")
                }
                return count
            }
            guard let winner = Self.majorityColumn(votes: counts), winner < Self.classOfVoteColumn.count else { continue }
            samples.append(Sample(
                id: (imageName as NSString).deletingPathExtension, source: .pixels(try pixelRow.image()),
                label: Self.classOfVoteColumn[winner], softLabel: Self.softLabel(votes: counts)))
        }
        guard !samples.isEmpty else { throw DatasetError.emptySplit(source: votes.path, split: split.rawValue) }
        return FERDataset(name: "FERPlus (\(split))", classNames: Self.classNames, samples: samples)
    }

    /// The emotion votes (single votes dropped) as a distribution over `classNames`.
    static func softLabel(votes: [Int]) -> [Float] {
        var distribution = [Float](repeating: 0, count: classNames.count)
        for (column, count) in votes.prefix(classOfVoteColumn.count).enumerated() where count > 1 {
            distribution[classOfVoteColumn[column]] += Float(count)
        }
        let total = distribution.reduce(0, +)
        return distribution.map { $0 / total }
    }
}
