import ArgumentParser
import FERBackbones
import FERNN
import FERTensor
import Foundation

/// `fer forward`: runs a model on a batch stored as a tensor file, for parity
/// checks against PyTorch.
struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Run a model on a batch from a safetensors file and write its logits (and gradients).",
        discussion: """
            The input file holds `input` (NCHW float32). With --grad, the labels file holds `labels` \
            (class indices, int64 or float); the mean cross-entropy is back-propagated and every \
            parameter's gradient is written under `grad.KEY`, with the loss under `loss`.
            """)

    @Option(help: "Architecture: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).")
    var arch: String

    @Option(help: "Weights: a safetensors state dict with torchvision's keys.")
    var weights: String

    @Option(help: "Safetensors file with the `input` tensor.")
    var input: String

    @Option(help: "Safetensors file with the `labels` tensor (needed with --grad).")
    var labels: String?

    @Flag(help: "Also compute the cross-entropy gradients of every parameter.")
    var grad = false

    @Option(help: "Where to write `logits` (and `loss`, `grad.*`).")
    var output: String

    @Flag(help: "Run in training mode (BatchNorm uses batch statistics) instead of evaluation mode.")
    var trainMode = false

    @Option(help: ArgumentHelp(
        "Drop probability for every Dropout layer, overriding the architecture's.",
        discussion: "0 runs training mode without dropout, to compare with a library whose random masks differ."))
    var dropout: Float?

    @Option(help: "Number of classes (default: read from the weights' classifier).")
    var classes: Int?

    func validate() throws {
        guard Architecture(rawValue: arch) != nil else {
            throw ValidationError("unknown architecture '\(arch)'; choose one of \(Architecture.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if grad && labels == nil { throw ValidationError("--grad needs --labels") }
        if let dropout, !(0..<1).contains(dropout) { throw ValidationError("--dropout must be in [0, 1), got \(dropout)") }
    }

    func run() throws {
        let architecture = Architecture(rawValue: arch)!
        let state = try SafetensorsArchive.read(contentsOf: URL(fileURLWithPath: weights)).tensors
        let classCount = classes ?? state[architecture.classifierWeightKey]?.shape.first ?? 1000
        let inputChannels = state[architecture.firstConvolutionKey]?.shape[1] ?? architecture.defaultInput.channels
        var generator = RandomGenerator(seed: 0)
        let model = architecture.make(classCount: classCount, inputChannels: inputChannels, generator: &generator)
        try model.load(stateDict: state, source: weights)
        model.train(trainMode)
        if let dropout {
            for case let layer as Dropout in model.modules { layer.probability = dropout }
        }

        let batch = try tensor("input", in: input)
        var results: [String: Tensor] = [:]
        if grad {
            let labelScalars = try tensor("labels", in: labels!).scalars
            let labelValues = labelScalars.map { (0..<Float(classCount)).contains($0) ? Int($0) : -1 }
            guard labelValues.count == batch.shape.first, labelValues.allSatisfy({ $0 >= 0 }) else {
                throw ValidationError("\(labels!): `labels` needs \(batch.shape.first ?? 0) class indices in 0..<\(classCount)")
            }
            let logits = model(Variable(batch))
            let loss = crossEntropy(logits: logits, labels: labelValues)
            loss.backward()
            results["logits"] = logits.value
            results["loss"] = loss.value
            for (key, parameter) in model.namedParameters {
                if let gradient = parameter.gradient { results["grad.\(key)"] = gradient }
            }
        } else {
            results["logits"] = noGrad { model(Variable(batch)) }.value
        }
        try SafetensorsArchive(tensors: results, metadata: ["architecture": arch, "mode": trainMode ? "train" : "eval"])
            .write(to: URL(fileURLWithPath: output))
        print("wrote \(output): logits \(results["logits"]!.shape)\(grad ? ", loss \(results["loss"]!.item), \(results.count - 2) gradients" : "")")
    }

    /// The tensor stored under `key` in the safetensors file at `path`.
    private func tensor(_ key: String, in path: String) throws -> Tensor {
        guard let tensor = try SafetensorsArchive.read(contentsOf: URL(fileURLWithPath: path))[key] else {
            throw ValidationError("\(path) has no tensor named `\(key)`")
        }
        return tensor
    }
}
