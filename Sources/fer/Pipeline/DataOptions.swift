import ArgumentParser
import FERData
import Foundation

/// The dataset layouts `--source` names.
enum DataSourceKind: String, ExpressibleByArgument, CaseIterable {
    case rafdb, folders, fer2013, ferplus
}

/// Where the images come from and how the training split is divided.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Dataset: a RAF-DB root, a folder with train/ and test/ class folders, or FER-2013's CSV file.",
        valueName: "path"))
    var data: String

    @Option(help: "Layout of --data: \(DataSourceKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var source: DataSourceKind = .rafdb

    @Option(help: ArgumentHelp("FERPlus vote file (fer2013new.csv), with --source ferplus.", valueName: "path"))
    var votes: String?

    @Option(help: "Share of each class of the training split held out as validation, to select the best epoch.")
    var valFraction = 0.1

    @Option(help: "Seed of the validation split.")
    var splitSeed: UInt64 = 0

    func validate() throws {
        guard FileManager.default.fileExists(atPath: data) else {
            throw ValidationError("--data \(data): no such file or directory")
        }
        guard valFraction > 0, valFraction < 1 else { throw ValidationError("--val-fraction must lie in (0, 1), got \(valFraction)") }
        if source == .ferplus {
            guard let votes else { throw ValidationError("--source ferplus needs --votes fer2013new.csv") }
            guard FileManager.default.fileExists(atPath: votes) else { throw ValidationError("--votes \(votes): no such file") }
        }
    }

    /// A short name of the data for reports (`rafdb:/data/rafdb`).
    var description: String { "\(source.rawValue):\(data)" }

    /// The training, validation and test splits. The validation split is the
    /// source's own where it has one (FER-2013's PublicTest, a `val` folder),
    /// otherwise a stratified, seeded share of the training split.
    func load() throws -> DataSplits {
        let root = URL(fileURLWithPath: data)
        let train: FERDataset, test: FERDataset
        var validation: FERDataset?
        switch source {
        case .rafdb:
            let rafdb = RAFDB(root: root)
            (train, test) = (try rafdb.load(.train), try rafdb.load(.test))
        case .folders:
            let folders = ImageFolder(expressionsAt: root)
            (train, test) = (try folders.load(.train), try folders.load(.test))
            validation = try? folders.load(.validation)
        case .fer2013:
            let csv = FER2013(csv: root)
            (train, test, validation) = (try csv.load(.train), try csv.load(.test), try csv.load(.validation))
        case .ferplus:
            let csv = FERPlus(fer2013: root, votes: URL(fileURLWithPath: votes!))
            (train, test, validation) = (try csv.load(.train), try csv.load(.test), try csv.load(.validation))
        }
        if let validation {
            return DataSplits(train: train, validation: validation, test: test, carved: false)
        }
        let carved = train.stratifiedSplit(validationFraction: valFraction, seed: splitSeed)
        return DataSplits(train: carved.train, validation: carved.validation, test: test, carved: true)
    }
}

/// A dataset's three splits.
struct DataSplits {
    var train: FERDataset
    var validation: FERDataset
    var test: FERDataset
    /// Whether validation was carved from the training split (rather than the source's own).
    var carved: Bool

    /// Class names, indexed by the labels.
    var classNames: [String] { train.classNames }

    /// `train`, `validation` and `test` sizes, for reports.
    var sizes: [String: Int] { ["train": train.count, "validation": validation.count, "test": test.count] }
}
