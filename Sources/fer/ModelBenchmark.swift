import FERBackbones
import FERNN
import FERTensor
import Foundation

/// `fer bench --suite models`: training and inference images per second of
/// whole models, measured as `shared/bench/torch_reference.py` measures
/// PyTorch (SGD with momentum 0.9, cross-entropy, warm-up steps excluded,
/// resident-memory growth over the training steps), so that `compare.py`
/// can put the two side by side.
struct ModelBenchmark {
    var architectures: [Architecture]
    var imageSize: Int
    var batch: Int
    var warmupSteps: Int
    var steps: Int
    var classCount: Int
    var json: Bool

    func run() {
        var generator = RandomGenerator(seed: 0)
        let labels = (0..<batch).map { _ in Int(generator.next() % UInt64(classCount)) }
        if !json {
            print("BLAS kernel \(BLASRuntime.report.activeCore), \(Parallel.threadCount) threads, \(imageSize)x\(imageSize), batch \(batch), \(steps) timed steps after \(warmupSteps) warm-up")
        }
        for architecture in architectures {
            let channels = architecture.defaultInput.channels
            let images = Tensor.randomNormal([batch, channels, imageSize, imageSize], using: &generator)
            let model = architecture.make(classCount: classCount, generator: &generator)
            let optimizer = SGD(model.trainableParameters, learningRate: 0.01, momentum: 0.9)
            let residentBefore = ProcessMemory.megabytes("VmRSS")

            model.train()
            let train = imagesPerSecond {
                model.zeroGradients()
                crossEntropy(logits: model(Variable(images)), labels: labels).backward()
                optimizer.step()
            }
            let growth = ProcessMemory.megabytes("VmHWM") - residentBefore
            model.eval()
            let evaluation = imagesPerSecond {
                _ = noGrad { model(Variable(images)) }
            }
            report(architecture: architecture, train: train, evaluation: evaluation, growth: growth)
        }
    }

    /// Images per second over `steps` calls of `step` after `warmupSteps` untimed ones.
    private func imagesPerSecond(_ step: () -> Void) -> Double {
        for _ in 0..<warmupSteps { step() }
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<steps { step() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(steps * batch) / seconds
    }

    private func report(architecture: Architecture, train: Double, evaluation: Double, growth: Double) {
        func rounded(_ value: Double, _ places: Double) -> Double { (value * places).rounded() / places }
        if json {
            print("""
                {"impl": "ferkit", "version": "\(FERKitVersion.string)", "model": "\(architecture.rawValue)", \
                "size": \(imageSize), "batch": \(batch), "threads": \(Parallel.threadCount), \
                "train_img_s": \(rounded(train, 100)), "eval_img_s": \(rounded(evaluation, 100)), \
                "train_rss_growth_mb": \(rounded(growth, 10)), "blas_kernel": "\(BLASRuntime.report.activeCore)"}
                """)
        } else {
            print("\(architecture.rawValue): train \(String(format: "%.1f", train)) img/s, eval \(String(format: "%.1f", evaluation)) img/s, training memory growth \(String(format: "%.0f", growth)) MB")
        }
    }
}

/// Resident memory figures of this process from `/proc/self/status`.
enum ProcessMemory {
    /// The `field` line (`VmRSS`, `VmHWM`) in megabytes, or NaN where
    /// `/proc` is unavailable.
    static func megabytes(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kilobytes = Double(parts[1]) { return kilobytes / 1024 }
        }
        return .nan
    }
}
