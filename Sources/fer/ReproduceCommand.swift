import ArgumentParser
import FERBackbones
import FERFusion
import Foundation

/// `fer reproduce`: the protocol of the Fusion Attention Network paper's
/// Tables 1 and 2 on a dataset, end to end.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Train the backbones and every fusion of the paper's pairs over several seeds, and print Tables 1 and 2.",
        discussion: """
            For each seed, trains each backbone (OUT/seed-S/backbones/ARCH), then fuses each pair with \
            each strategy (OUT/seed-S/fusion/FIRST+SECOND/STRATEGY). Every run selects its epoch on the \
            validation split and is evaluated once on the test split. Finished runs are reused and \
            interrupted ones resume, so running the command again continues where it stopped. The \
            tables (mean ± standard deviation over seeds) are printed and written to OUT/tables.md, \
            the figures to OUT/summary.json.
            """)

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("Output directory (created).", valueName: "directory"))
    var out: String

    @Option(help: "Number of seeds (0, 1, ...).")
    var seeds = 3

    @Option(help: "Backbones of Table 1, comma-separated.")
    var backbones = "resnet18,resnet34,vgg11,vgg13"

    @Option(help: "Pairs of Table 2, comma-separated FIRST+SECOND.")
    var pairs = "resnet18+resnet34,vgg11+vgg13,vgg13+resnet34,vgg11+resnet34"

    @Option(help: "Fusion strategies, comma-separated.")
    var strategies = "late,early,joint,attention"

    @OptionGroup(title: "Backbone training (overrides of the backbone fine-tuning recipe)")
    var overrides: RecipeOptions

    @Option(help: "Epochs of fusion-head training (default: its recipe's).")
    var fusionEpochs: Int?

    @Option(help: "Epochs of joint fusion, which fine-tunes both backbones (default: its recipe's).")
    var jointEpochs: Int?

    @Option(help: "Input side in pixels.")
    var size = 100

    @Option(help: "VGG classifier: torchvision or global-pool.")
    var vggHead: VGG.Head = .torchvision

    @Option(help: ArgumentHelp("Directory of pretrained weights, ARCH.safetensors each (ImageNet from torchvision).", valueName: "directory"))
    var pretrainedDir: String?

    @Flag(help: "Report test figures with flip test-time augmentation.")
    var tta = false

    func validate() throws {
        guard seeds > 0 else { throw ValidationError("--seeds must be positive") }
        for (option, value) in [("--fusion-epochs", fusionEpochs), ("--joint-epochs", jointEpochs)] {
            if let value, value <= 0 { throw ValidationError("\(option) must be positive, got \(value)") }
        }
        guard size >= 32 else { throw ValidationError("--size must be at least 32, got \(size)") }
        let architectures = try parsedBackbones()
        for (first, second) in try parsedPairs() where !architectures.contains(first) || !architectures.contains(second) {
            throw ValidationError("pair \(first.rawValue)+\(second.rawValue) uses a backbone missing from --backbones")
        }
        _ = try parsedStrategies()
        if let pretrainedDir, !FileManager.default.fileExists(atPath: pretrainedDir) {
            throw ValidationError("--pretrained-dir \(pretrainedDir): no such directory")
        }
    }

    func run() throws {
        let splits = try data.load()
        let (architectures, pairList, strategyList) = (try parsedBackbones(), try parsedPairs(), try parsedStrategies())
        let pairNames = pairList.map { "\($0.0.rawValue)+\($0.1.rawValue)" }
        let root = URL(fileURLWithPath: out)
        var backboneReports: [Architecture: [EvaluationReport<ClassifierRunDescription>]] = [:]
        var fusionReports: [String: [FusionStrategyKind: [EvaluationReport<FusionRunDescription>]]] = [:]
        try Interruption.handling {
            for seed in 0..<UInt64(seeds) {
                let seedDirectory = root.appendingPathComponent("seed-\(seed)")
                for architecture in architectures {
                    let run = backboneRun(architecture, classNames: splits.classNames, seed: seed, in: seedDirectory)
                    backboneReports[architecture, default: []].append(try run.run(data: splits))
                }
                for ((first, second), pair) in zip(pairList, pairNames) {
                    for strategy in strategyList {
                        let run = fusionRun(strategy, first: first, second: second, seed: seed, in: seedDirectory)
                        fusionReports[pair, default: [:]][strategy, default: []].append(try run.run(data: splits))
                    }
                }
            }
        }
        let tables = ReproductionTables(
            data: data.description, seeds: seeds, backbones: architectures, pairs: pairNames, strategies: strategyList,
            backboneReports: backboneReports, fusionReports: fusionReports)
        let text = tables.markdown
        try text.write(to: root.appendingPathComponent("tables.md"), atomically: true, encoding: .utf8)
        try prettyJSON(tables.summary).write(to: root.appendingPathComponent("summary.json"), options: .atomic)
        print(text)
    }

    private func backboneRun(_ architecture: Architecture, classNames: [String], seed: UInt64, in directory: URL) -> ClassifierRun {
        let recipe = overrides.applied(to: .backboneFineTuning)
        let pretrained = pretrainedDir.map { URL(fileURLWithPath: $0).appendingPathComponent("\(architecture.rawValue).safetensors").path }
        let configuration = ClassifierConfiguration(
            architecture: architecture, classNames: classNames, preprocessing: .imageNet(size: size), vggHead: vggHead)
        return ClassifierRun(
            description: ClassifierRunDescription(
                model: configuration, recipe: recipe, seed: seed,
                pretrained: pretrained.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }, data: data.description),
            directory: RunDirectory(url: directory.appendingPathComponent("backbones").appendingPathComponent(architecture.rawValue)),
            testTimeAugmentation: tta)
    }

    private func fusionRun(
        _ strategy: FusionStrategyKind, first: Architecture, second: Architecture, seed: UInt64, in directory: URL
    ) -> FusionRun {
        var recipe: TrainingRecipe = strategy == .joint ? .jointFusion : .fusionHead
        if let epochs = strategy == .joint ? jointEpochs : fusionEpochs { recipe.epochs = epochs }
        if strategy == .joint, let batch = overrides.batch { recipe.batchSize = batch }
        let checkpoint = { (architecture: Architecture) in
            RunDirectory(url: directory.appendingPathComponent("backbones").appendingPathComponent(architecture.rawValue)).model.path
        }
        return FusionRun(
            description: FusionRunDescription(
                strategy: strategy, attention: AttentionFusionConfiguration(), first: checkpoint(first), second: checkpoint(second),
                recipe: recipe, seed: seed, data: data.description),
            directory: RunDirectory(
                url: directory.appendingPathComponent("fusion").appendingPathComponent("\(first.rawValue)+\(second.rawValue)")
                    .appendingPathComponent(strategy.rawValue)),
            testTimeAugmentation: tta)
    }

    private func parsedBackbones() throws -> [Architecture] {
        try backbones.split(separator: ",").map { name in
            guard let architecture = Architecture(rawValue: String(name)) else {
                throw ValidationError("--backbones: unknown architecture '\(name)'")
            }
            return architecture
        }
    }

    private func parsedPairs() throws -> [(Architecture, Architecture)] {
        try pairs.split(separator: ",").map { pair in
            let names = pair.split(separator: "+").map(String.init)
            guard names.count == 2, let first = Architecture(rawValue: names[0]), let second = Architecture(rawValue: names[1]) else {
                throw ValidationError("--pairs: '\(pair)' is not FIRST+SECOND with two known architectures")
            }
            return (first, second)
        }
    }

    private func parsedStrategies() throws -> [FusionStrategyKind] {
        try strategies.split(separator: ",").map { name in
            guard let strategy = FusionStrategyKind(rawValue: String(name)) else {
                throw ValidationError("--strategies: unknown strategy '\(name)'")
            }
            return strategy
        }
    }
}
