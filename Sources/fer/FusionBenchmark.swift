import FERFusion
import FERNN
import FERTensor
import Foundation

/// `fer bench --suite fusion`: seconds per epoch of training an attention
/// fusion head from cached features, measured as
/// `shared/bench/torch_fusion_head.py` measures PyTorch (random 512 + 512
/// features of 12,271 samples, batch 48, Adam at 1e-4, a fresh permutation
/// per epoch, per-sample attention over 16 tokens, local attention).
struct FusionBenchmark {
    var width: Int
    var samples: Int
    var batch: Int
    var tokens: Int
    var epochs: Int
    var json: Bool

    func run() {
        var generator = RandomGenerator(seed: 0)
        let head = AttentionFusionHead(
            featureWidths: (width, width), classCount: 7, configuration: .init(tokens: tokens), generator: &generator)
        let first = Tensor.randomNormal([samples, width], using: &generator)
        let second = Tensor.randomNormal([samples, width], using: &generator)
        let labels = (0..<samples).map { _ in Int(generator.next() % 7) }
        let optimizer = Adam(head.trainableParameters, learningRate: 1e-4)
        head.train()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<epochs {
            let order = Array(0..<samples).shuffled(using: &generator)
            for batchStart in stride(from: 0, to: samples, by: batch) {
                let indices = Array(order[batchStart..<Swift.min(batchStart + batch, samples)])
                head.zeroGradients()
                let input = FusionInput(
                    first: Variable(first.indexSelected(axis: 0, indices: indices)),
                    second: Variable(second.indexSelected(axis: 0, indices: indices)))
                crossEntropy(logits: head(input), labels: indices.map { labels[$0] }).backward()
                optimizer.step()
            }
        }
        let epochSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(epochs)
        if json {
            print("""
                {"impl": "ferkit", "version": "\(FERKitVersion.string)", "model": "attention_fusion_head", \
                "batch": \(batch), "threads": \(Parallel.threadCount), "epoch_seconds": \((epochSeconds * 1000).rounded() / 1000), \
                "fifty_epochs_seconds": \((50 * epochSeconds * 10).rounded() / 10), "parameters": \(head.parameterCount)}
                """)
        } else {
            print(String(format: "attention fusion head (%d parameters), %d samples, batch %d, %d threads: %.3f s per epoch, %.1f s for 50",
                         head.parameterCount, samples, batch, Parallel.threadCount, epochSeconds, 50 * epochSeconds))
        }
    }
}
