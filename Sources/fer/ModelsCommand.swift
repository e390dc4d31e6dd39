import ArgumentParser
import FERBackbones
import FERTensor

/// `fer models`: the registered architectures, their input and their sizes.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the architectures FERKit builds, with their default input and parameter counts.",
        discussion: """
            Parameters are counted for 7 classes (the basic expressions) at the default input; the \
            ImageNet column gives torchvision's count with its 1000-class head, for torchvision's models.
            """)

    @Flag(help: "Print one JSON object per architecture.")
    var json = false

    @Option(help: "List the parameters of each top-level block of this architecture (7 classes) instead.")
    var blocks: Architecture?

    func run() {
        if let blocks {
            var generator = RandomGenerator(seed: 0)
            let model = blocks.make(classCount: 7, generator: &generator)
            for (key, child) in model.namedChildren where child.parameterCount > 0 {
                print(key.padding(toLength: 14, withPad: " ", startingAt: 0) + grouped(child.parameterCount).leftPadded(to: 12))
            }
            print("total".padding(toLength: 14, withPad: " ", startingAt: 0) + grouped(model.parameterCount).leftPadded(to: 12))
            return
        }
        if !json { print("architecture   input       parameters (7 classes)   ImageNet (1000 classes)") }
        for architecture in Architecture.allCases {
            let (channels, size) = architecture.defaultInput
            let count = architecture.parameterCount(classCount: 7)
            if json {
                let imageNet = architecture.imageNetParameterCount.map(String.init) ?? "null"
                print("""
                    {"name": "\(architecture.rawValue)", "input_channels": \(channels), "input_size": \(size), \
                    "parameters": \(count), "imagenet_parameters": \(imageNet)}
                    """)
            } else {
                let imageNet = architecture.imageNetParameterCount.map(grouped) ?? "-"
                print(
                    padded(architecture.rawValue, 15) + padded("\(channels)x\(size)x\(size)", 12)
                        + padded(grouped(count), 22, right: true) + padded(imageNet, 26, right: true))
            }
        }
    }

    private func grouped(_ value: Int) -> String { value.formatted(.number.grouping(.automatic)) }

    private func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: Swift.max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}
