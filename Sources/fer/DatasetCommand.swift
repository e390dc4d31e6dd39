import ArgumentParser
import FERData
import Foundation

/// `fer dataset`: checks that a dataset is in place and complete.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Check a dataset: split sizes and class counts (against RAF-DB's official ones), and optionally decode every image.",
        discussion: "Exits with status 1 when a count differs from RAF-DB's (with --source rafdb) or an image does not decode.")

    @OptionGroup var data: DataOptions

    @Flag(help: "Decode every image and report those that fail.")
    var decode = false

    /// RAF-DB basic's class counts (surprise ... neutral) per split.
    static let rafdbCounts: [String: [Int]] = [
        "train": [1290, 281, 717, 4772, 1982, 705, 2524], "test": [329, 74, 160, 1185, 478, 162, 680],
    ]

    func run() throws {
        let splits = try data.load()
        print("\(data.description): classes \(splits.classNames.joined(separator: ", "))")
        var problems: [String] = []
        let trainCounts = zip(splits.train.classCounts, splits.validation.classCounts).map { $0 + $1 }
        for (name, counts) in [("train", trainCounts), ("test", splits.test.classCounts)] {
            print("\(name): \(counts.reduce(0, +)) images; per class \(counts.map(String.init).joined(separator: " "))")
            if data.source == .rafdb, let expected = Self.rafdbCounts[name], counts != expected {
                problems.append("\(name) counts differ from RAF-DB basic's \(expected.map(String.init).joined(separator: " ")) "
                                + "(fine for other data in RAF-DB's layout, such as the synthetic set)")
            }
        }
        print("validation (\(splits.carved ? "carved from train with --val-fraction \(data.valFraction), --split-seed \(data.splitSeed)" : "the source's own")): "
              + "\(splits.validation.count) images")
        if decode {
            var failures = 0, checked = 0
            for dataset in [splits.train, splits.validation, splits.test] {
                for sample in dataset.samples {
                    checked += 1
                    do { _ = try sample.image() } catch {
                        failures += 1
                        print("cannot decode: \(error)")
                    }
                }
            }
            print("decoded \(checked - failures) of \(checked) images")
            if failures > 0 { problems.append("\(failures) images do not decode") }
        }
        guard problems.isEmpty else {
            for problem in problems { print("note: \(problem)") }
            throw ExitCode(1)
        }
        print("ok")
    }
}
