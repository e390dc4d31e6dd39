import ArgumentParser
import FERData
import Foundation

/// `fer synth`: writes the synthetic FER set in RAF-DB's layout.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Draw a synthetic facial-expression set in RAF-DB's layout (real JPEG files).")

    @Option(help: "Output directory (created; RAF-DB layout inside).")
    var out: String

    @Option(help: "Images per class on average.")
    var perClass = 200

    @Option(help: "Image side in pixels.")
    var size = 100

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Flag(help: "Class counts in RAF-DB's proportions instead of balanced.")
    var imbalanced = false

    @Option(help: "Share of each class in the test split.")
    var testFraction = 0.2

    func validate() throws {
        guard perClass > 0 else { throw ValidationError("--per-class must be positive") }
        guard size >= 32 else { throw ValidationError("--size must be at least 32") }
        guard (0..<1).contains(testFraction) else { throw ValidationError("--test-fraction must be in [0, 1)") }
    }

    func run() throws {
        let set = SyntheticFER(perClass: perClass, size: size, seed: seed, imbalanced: imbalanced, testFraction: testFraction)
        let start = Date()
        let sizes = try set.write(to: URL(fileURLWithPath: out)) { done, total in
            FileHandle.standardError.write("\rdrawing \(done)/\(total)".data(using: .utf8)!)
        }
        FileHandle.standardError.write("\n".data(using: .utf8)!)
        print("wrote \(sizes.train) train and \(sizes.test) test images to \(out) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        print("class counts (surprise ... neutral): \(set.classCounts.map(String.init).joined(separator: " "))")
    }
}
