import ArgumentParser
import FERBackbones
import FERData
import FERFusion
import Foundation

/// `fer train`: trains a backbone or FER network on a dataset.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a backbone or FER network, select its best epoch on validation, evaluate it once on test.",
        discussion: """
            The run directory receives best.safetensors (the epoch with the best validation figure), \
            last.safetensors with its training state (to resume: run the same command again), \
            metrics.jsonl (one line per epoch), report.json (the test evaluation), curves.svg and \
            confusion.svg. A complete run is reused as it is.
            """)

    @OptionGroup var data: DataOptions

    @Option(help: "Architecture: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).")
    var arch: Architecture

    @Option(help: ArgumentHelp("Run directory (created).", valueName: "directory"))
    var out: String

    /// The named recipes.
    enum RecipePreset: String, ExpressibleByArgument, CaseIterable {
        /// LANMSFF's own recipe for lanmsff, backbone fine-tuning for the others.
        case `default`
        /// LANMSFF's published recipe (Adam 1e-3, plateau x0.1 after 9 epochs, early stop after 14).
        case lanmsff
        /// Fine-tuning a backbone as the fusion paper's baselines (SGD 0.01, cosine, paper augmentation).
        case backbone

        /// The recipe for `architecture`.
        func recipe(for architecture: Architecture) -> TrainingRecipe {
            switch self {
            case .lanmsff: .lanmsff
            case .backbone: .backboneFineTuning
            case .default: architecture == .lanmsff ? .lanmsff : .backboneFineTuning
            }
        }
    }

    @Option(help: "Recipe to start from: \(RecipePreset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var recipe: RecipePreset = .default

    @OptionGroup var overrides: RecipeOptions

    @Option(help: ArgumentHelp("Pretrained weights (safetensors state dict, e.g. ImageNet's from torchvision).", valueName: "path"))
    var pretrained: String?

    @Option(help: "Input side in pixels (default: 100, 64 for lanmsff).")
    var size: Int?

    @Option(help: "Input channels, 1 (grayscale) or 3 (default: 3, 1 for lanmsff).")
    var channels: Int?

    @Option(help: "VGG classifier: torchvision (4096-wide, 133M parameters) or global-pool (512-wide).")
    var vggHead: VGG.Head = .torchvision

    @Flag(help: "msff_resnet50 ablation: use stage 4 alone instead of fusing stages 2-4.")
    var noMultiScale = false

    @Flag(help: "msff_resnet50 ablation: no hybrid attention.")
    var noHybridAttention = false

    @Flag(help: "msff_resnet50 ablation: plain 3x3 convolutions instead of pyramid convolutions.")
    var noPyramid = false

    @Option(help: "Seed of initialisation, order, augmentation and dropout.")
    var seed: UInt64 = 0

    @Flag(help: "Report test figures with flip test-time augmentation.")
    var tta = false

    func validate() throws {
        if let size, size < 32 { throw ValidationError("--size must be at least 32, got \(size)") }
        if let channels, channels != 1 && channels != 3 { throw ValidationError("--channels must be 1 or 3, got \(channels)") }
        if let pretrained, !FileManager.default.fileExists(atPath: pretrained) {
            throw ValidationError("--pretrained \(pretrained): no such file")
        }
        if arch != .msff_resnet50 && (noMultiScale || noHybridAttention || noPyramid) {
            throw ValidationError("--no-multi-scale, --no-hybrid-attention and --no-pyramid apply to msff_resnet50 only")
        }
    }

    func run() throws {
        let splits = try data.load()
        let (defaultChannels, defaultSize) = arch.defaultInput
        let inputChannels = channels ?? defaultChannels, side = size ?? defaultSize
        let preprocessing = inputChannels == 1
            ? Preprocessing(size: side, mean: [0.5], standardDeviation: [0.5]) : .imageNet(size: side)
        let configuration = ClassifierConfiguration(
            architecture: arch, classNames: splits.classNames, preprocessing: preprocessing, vggHead: vggHead,
            multiScale: MultiScaleConfiguration(
                multiScaleFusion: !noMultiScale, hybridAttention: !noHybridAttention, pyramidConvolution: !noPyramid))
        let run = ClassifierRun(
            description: ClassifierRunDescription(
                model: configuration, recipe: overrides.applied(to: recipe.recipe(for: arch)), seed: seed, pretrained: pretrained, data: data.description),
            directory: RunDirectory(url: URL(fileURLWithPath: out)), testTimeAugmentation: tta)
        print(try Interruption.handling { try run.run(data: splits) }.summary)
    }
}

extension Architecture: ExpressibleByArgument {}
extension VGG.Head: ExpressibleByArgument {}
