import ArgumentParser
import FERBackbones

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

    func run() {
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
