import ArgumentParser
import FERBackbones

/// `fer models`: the registered architectures and their sizes.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the architectures FERKit builds, with torchvision's parameter counts (1000-class heads).")

    @Flag(help: "Print one JSON object per architecture.")
    var json = false

    func run() {
        if !json { print("architecture  parameters (1000 classes)") }
        for architecture in Architecture.allCases {
            if json {
                print("{\"name\": \"\(architecture.rawValue)\", \"parameters\": \(architecture.imageNetParameterCount)}")
            } else {
                let count = architecture.imageNetParameterCount.formatted(.number.grouping(.automatic))
                print(architecture.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0) + String(repeating: " ", count: Swift.max(0, 11 - count.count)) + count)
            }
        }
    }
}
