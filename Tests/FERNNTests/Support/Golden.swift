import Foundation
import Testing
import FERTensor

/// Values PyTorch computed once for the layer and loss tests
/// (`Fixtures/generate_golden.py`; the file's layout is described there).
enum Golden {
    /// The fixture archive, read once.
    static let archive: SafetensorsArchive? = {
        guard let url = Bundle.module.url(forResource: "golden", withExtension: "safetensors") else { return nil }
        return try? SafetensorsArchive.read(contentsOf: url)
    }()

    /// The tensor stored under `key`, recording a test issue when it is missing.
    static func tensor(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) -> Tensor {
        guard let tensor = archive?[key] else {
            Issue.record("golden fixture has no tensor \(key)", sourceLocation: sourceLocation)
            return Tensor.zeros([0])
        }
        return tensor
    }

    /// Every `case.state.KEY` entry of a layer case, as a state dict keyed by `KEY`.
    static func stateDict(of name: String) -> [String: Tensor] {
        let prefix = "\(name).state."
        var result: [String: Tensor] = [:]
        for key in archive?.keys ?? [] where key.hasPrefix(prefix) {
            result[String(key.dropFirst(prefix.count))] = archive?[key]
        }
        return result
    }

    /// Class indices stored as floats.
    static func labels(_ key: String) -> [Int] { tensor(key).scalars.map { Int($0) } }
}

/// Asserts equal shapes and `|a - b| <= tolerance * (1 + |b|)` elementwise:
/// PyTorch and FERKit sum in different orders, so float32 results agree to
/// about 1e-6 relative; 1e-4 leaves room for longer sums.
func expectMatchesGolden(
    _ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = actual.scalars, b = expected.scalars
    if let index = a.indices.first(where: { !(Swift.abs(a[$0] - b[$0]) <= tolerance * (1 + Swift.abs(b[$0]))) }) {
        Issue.record("\(what): element \(index) is \(a[index]), PyTorch \(b[index])", sourceLocation: sourceLocation)
    }
}
