import ArgumentParser

/// `fer bench`: speed measurements printed as tables or JSON lines.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernel speed.")

    /// Benchmark suites.
    enum Suite: String, ExpressibleByArgument, CaseIterable {
        case kernels
    }

    @Option(help: "Which suite to run: \(Suite.allCases.map(\.rawValue).joined(separator: ", ")).")
    var suite: Suite = .kernels

    @Flag(help: "Print one JSON object per line.")
    var json = false

    func run() throws {
        switch suite {
        case .kernels: try KernelBenchmark(json: json).run()
        }
    }
}
