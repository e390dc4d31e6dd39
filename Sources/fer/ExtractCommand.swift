import ArgumentParser
import FERFusion
import Foundation

/// `fer extract`: caches a trained backbone's features for fusion.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract a trained backbone's features (and its mirror-image views) for fusion.",
        discussion: """
            Without --out, the features of every split go to the features/ folder beside the \
            checkpoint, where `fer fuse` finds them; with --out, one split goes to that file.
            """)

    @Option(help: ArgumentHelp("Checkpoint of a trained network (best.safetensors of `fer train`).", valueName: "path"))
    var checkpoint: String

    @OptionGroup var data: DataOptions

    @Option(help: "Split to extract: train, validation, test (default: all three).")
    var split: EvaluateCommand.Split?

    @Option(help: ArgumentHelp("Output file for one split (safetensors).", valueName: "path"))
    var out: String?

    func validate() throws {
        guard FileManager.default.fileExists(atPath: checkpoint) else { throw ValidationError("--checkpoint \(checkpoint): no such file") }
        if out != nil && split == nil { throw ValidationError("--out writes one split: add --split") }
    }

    func run() throws {
        let (model, configuration) = try FusionRun.classifier(at: checkpoint)
        let splits = try data.load()
        let files = FeatureFiles(checkpoint: URL(fileURLWithPath: checkpoint))
        let chosen = split.map { [$0] } ?? EvaluateCommand.Split.allCases
        for name in chosen {
            let dataset = switch name {
            case .train: splits.train
            case .validation: splits.validation
            case .test: splits.test
            }
            let features = try files.features(of: model, configuration: configuration, split: dataset, splitName: name.rawValue)
            let destination = try out.map { URL(fileURLWithPath: $0) } ?? files.cacheFile(split: dataset, splitName: name.rawValue)
            if out != nil { try features.write(to: destination) }
            print("\(name.rawValue): \(features.count) rows (\(dataset.count) images and their mirror images), "
                  + "\(features.features.shape[1]) features -> \(destination.path)")
        }
    }
}
