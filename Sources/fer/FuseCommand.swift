import ArgumentParser
import FERFusion
import Foundation

/// `fer fuse`: fuses two trained backbones with one strategy.
struct FuseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuse",
        abstract: "Fuse two trained backbones (late, early, joint or attention fusion) and evaluate the fusion once on test.",
        discussion: """
            --first and --second are best.safetensors files of `fer train` runs on the same data. Late, \
            early and attention fusion read each backbone's features, extracted once (with mirror \
            images) into a features/ folder beside its checkpoint; joint fusion fine-tunes both \
            backbones end to end on the images. The run directory receives best.safetensors (the \
            whole fusion model, for `fer evaluate` and `fer predict`), metrics.jsonl, report.json, \
            curves.svg and confusion.svg.
            """)

    @Option(help: "Fusion strategy: \(FusionStrategyKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var strategy: FusionStrategyKind

    @Option(help: ArgumentHelp("Checkpoint of the first backbone.", valueName: "path"))
    var first: String

    @Option(help: ArgumentHelp("Checkpoint of the second backbone.", valueName: "path"))
    var second: String

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("Run directory (created).", valueName: "directory"))
    var out: String

    @Option(help: "Attention scope: per-sample (tokens within each image; default) or batch (the paper's literal form, batch-dependent).")
    var scope: AttentionScope = .perSample

    @Option(help: "Tokens per sample for per-sample attention (must divide the common width).")
    var tokens = 16

    @Flag(help: "Attention fusion without local attention (the paper's ablation).")
    var noLocalAttention = false

    @Flag(help: "Learned linear projections of Q, K and V.")
    var learnedProjections = false

    @OptionGroup var overrides: RecipeOptions

    @Option(help: "Seed of the head's initialisation, order and dropout.")
    var seed: UInt64 = 0

    @Flag(help: "Report test figures with flip test-time augmentation.")
    var tta = false

    func validate() throws {
        for (option, path) in [("--first", first), ("--second", second)] where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(option) \(path): no such file")
        }
        guard tokens > 0 else { throw ValidationError("--tokens must be positive") }
    }

    func run() throws {
        let base: TrainingRecipe = strategy == .joint ? .jointFusion : .fusionHead
        let run = FusionRun(
            description: FusionRunDescription(
                strategy: strategy,
                attention: AttentionFusionConfiguration(
                    scope: scope, tokens: tokens, localAttention: !noLocalAttention, learnedProjections: learnedProjections),
                first: first, second: second, recipe: overrides.applied(to: base), seed: seed, data: data.description),
            directory: RunDirectory(url: URL(fileURLWithPath: out)), testTimeAugmentation: tta)
        let splits = try data.load()
        print(try Interruption.handling { try run.run(data: splits) }.summary)
    }
}

extension FusionStrategyKind: ExpressibleByArgument {}
extension AttentionScope: ExpressibleByArgument {}
