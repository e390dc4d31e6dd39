import ArgumentParser
import FERBackbones
import FERData
import FERTensor

/// `fer bench`: speed measurements printed as tables or JSON lines.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernel or whole-model speed.",
        discussion: """
            `--suite kernels` times every distinct ResNet18 convolution in each pass against sgemm. \
            `--suite models` times training steps (SGD with momentum, cross-entropy) and inference \
            of whole models, with the fields of shared/bench/torch_reference.py. \
            `--suite data` times the loader (read, JPEG decode, the paper's augmentation, batching) \
            on synthetic JPEGs. `--suite fusion` times epochs of training an attention fusion head \
            from cached features, with the fields of shared/bench/torch_fusion_head.py.
            """)

    /// Benchmark suites.
    enum Suite: String, ExpressibleByArgument, CaseIterable {
        case kernels, models, data, fusion
    }

    @Option(help: "Which suite to run: \(Suite.allCases.map(\.rawValue).joined(separator: ", ")).")
    var suite: Suite = .kernels

    @Option(help: "Models for --suite models, comma-separated.")
    var models = "resnet18,resnet34,vgg11_bn,vgg13_bn"

    @Option(help: "Only the convolutions whose names start with one of these comma-separated prefixes (--suite kernels), e.g. conv1,layer2.")
    var convolutions: String?

    @Option(help: "Only these comma-separated passes (--suite kernels): forward, input_gradient, weight_gradient.",
            transform: { try KernelBenchmark.Pass.list($0) })
    var passes: [KernelBenchmark.Pass]?

    @Option(help: "Times to run the whole selection (--suite kernels); above 1, each pass reports its medians and the range of its fraction of sgemm.")
    var rounds = 1

    @Option(help: "Images to load (--suite data).")
    var images = 2048

    @Option(help: "Image side in pixels (--suite kernels, models, data).")
    var size = 100

    @Option(help: "Images per batch (--suite kernels, models, data; default 32) or samples per batch (--suite fusion; default 48).")
    var batch: Int?

    @Option(help: "Feature width of each backbone (--suite fusion).")
    var width = 512

    @Option(help: "Training samples (--suite fusion).")
    var samples = 12271

    @Option(help: "Attention tokens per sample (--suite fusion).")
    var tokens = 16

    @Option(help: "Timed epochs (--suite fusion).")
    var epochs = 2

    @Option(help: "Worker threads (default: FERKIT_NUM_THREADS, else every core).")
    var threads: Int?

    @Option(help: "Untimed steps before timing (--suite models).")
    var warmup = 2

    @Option(help: "Timed steps (--suite models).")
    var steps = 5

    @Option(help: "Number of classes (--suite models).")
    var classes = 7

    @Flag(help: "Print one JSON object per line.")
    var json = false

    func validate() throws {
        for name in models.split(separator: ",") where Architecture(rawValue: String(name)) == nil {
            throw ValidationError("unknown model '\(name)'; choose from \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        guard size >= 32 else { throw ValidationError("--size must be at least 32") }
        guard images >= 1 else { throw ValidationError("--images must be at least 1") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
        guard batch ?? 1 >= 1, steps >= 1, warmup >= 0, classes >= 2, epochs >= 1, samples >= 1 else {
            throw ValidationError("--batch, --steps, --epochs and --samples must be at least 1, --warmup at least 0, --classes at least 2")
        }
        guard width >= 1, tokens >= 1, width % tokens == 0 else {
            throw ValidationError("--tokens (\(tokens)) must divide --width (\(width))")
        }
    }

    func run() throws {
        if let threads { Parallel.threadCount = threads }
        switch suite {
        case .kernels:
            var benchmark = KernelBenchmark(
                json: json, nameFilter: convolutions.map { $0.split(separator: ",").map(String.init) }, rounds: rounds)
            if let passes { benchmark.passes = passes }
            if let batch { benchmark.batch = batch }
            benchmark.imageSize = size
            try benchmark.run()
        case .models:
            ModelBenchmark(
                architectures: models.split(separator: ",").compactMap { Architecture(rawValue: String($0)) },
                imageSize: size, batch: batch ?? 32, warmupSteps: warmup, steps: steps, classCount: classes, json: json
            ).run()
        case .data:
            try DataBenchmark(imageSize: size, batch: batch ?? 32, images: images, json: json).run()
        case .fusion:
            FusionBenchmark(width: width, samples: samples, batch: batch ?? 48, tokens: tokens, epochs: epochs, json: json).run()
        }
    }
}
