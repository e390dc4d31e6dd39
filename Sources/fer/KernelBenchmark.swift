import ArgumentParser
import FERTensor
import Foundation

/// `fer bench --suite kernels`: sgemm at 1024^3 and every distinct
/// convolution of ResNet18 at 100x100 input, batch 32, in each pass.
struct KernelBenchmark {
    /// One distinct convolution of ResNet18 (named after its first occurrence).
    struct Convolution {
        var name: String
        var input: [Int]
        var weight: [Int]
        var options: ConvolutionOptions
    }

    /// A convolution pass to time.
    enum Pass: String, CaseIterable {
        case forward, inputGradient = "input_gradient", weightGradient = "weight_gradient"

        /// The passes named in a comma-separated list such as `forward,weight_gradient` (at least one);
        /// the parser of `fer bench --passes`.
        static func list(_ text: String) throws -> [Pass] {
            let names = text.split(separator: ",")
            guard !names.isEmpty else {
                throw ValidationError("no pass named; passes: \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return try names.map { name in
                guard let pass = Pass(rawValue: String(name)) else {
                    throw ValidationError(
                        "unknown pass '\(name)'; passes: \(allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return pass
            }
        }
    }

    /// The share of sgemm's rate that every pass should reach (issue 2's target).
    static let targetFractionOfSGEMM = 0.7

    var json: Bool
    /// Runs only the convolutions whose names start with one of these parts (all when `nil`).
    var nameFilter: [String]? = nil
    /// The passes to time, in this order.
    var passes = Pass.allCases
    var batch = 32
    var imageSize = 100
    /// Minimum measured time per entry (over all its turns); the median of the repetitions is reported.
    var minimumSeconds = 0.5
    /// How many times the whole selection is timed (medians and ranges reported when more than one).
    var rounds = 1

    /// ResNet18's distinct convolutions for `batch` images of `imageSize` pixels.
    var convolutions: [Convolution] {
        let stem = (imageSize + 2 * 3 - 7) / 2 + 1
        var size = (stem + 2 - 3) / 2 + 1
        var result = [Convolution(name: "conv1", input: [batch, 3, imageSize, imageSize], weight: [64, 3, 7, 7],
                                  options: .init(stride: 2, padding: 3))]
        result.append(.init(name: "layer1.0.conv1", input: [batch, 64, size, size], weight: [64, 64, 3, 3], options: .init(padding: 1)))
        for (stage, width) in [(2, 128), (3, 256), (4, 512)] {
            let inputWidth = width / 2, next = (size + 2 - 3) / 2 + 1
            result.append(.init(name: "layer\(stage).0.conv1", input: [batch, inputWidth, size, size],
                                weight: [width, inputWidth, 3, 3], options: .init(stride: 2, padding: 1)))
            result.append(.init(name: "layer\(stage).0.conv2", input: [batch, width, next, next],
                                weight: [width, width, 3, 3], options: .init(padding: 1)))
            result.append(.init(name: "layer\(stage).0.downsample.0", input: [batch, inputWidth, size, size],
                                weight: [width, inputWidth, 1, 1], options: .init(stride: 2)))
            size = next
        }
        return result
    }

    /// One timing of a convolution pass.
    struct Measurement {
        var gflops: Double
        var fractionOfSGEMM: Double
        var sgemmGFLOPS: Double
        var seconds: Double
    }

    /// Each convolution pass is compared with an sgemm timed in turns with
    /// it, so that changes in the machine's speed (other tenants of a
    /// virtual machine, clock changes) do not skew the ratios. With more
    /// than one round, the whole selection is timed `rounds` times and each
    /// pass reports its medians and the range of its fraction of sgemm.
    func run() throws {
        let selected = convolutions.filter { convolution in
            nameFilter.map { parts in parts.contains { convolution.name.hasPrefix($0) } } ?? true
        }
        guard !selected.isEmpty else {
            throw ValidationError("no ResNet18 convolution matches \(nameFilter ?? []); names: \(convolutions.map(\.name).joined(separator: ", "))")
        }
        let sgemm = SGEMMOperands(size: 1024)
        let sgemmGFLOPS = sgemm.flops / Self.median(timedCalls(atLeast: minimumSeconds, calls: 5, sgemm.multiply)) / 1e9
        emit([
            ("name", .text("sgemm_1024")), ("pass", .text("gemm")), ("gflops", .number(sgemmGFLOPS)),
            ("fraction_of_sgemm", .number(1)),
        ], header: true)
        // measurements[convolution][pass]: one per round.
        var measurements = [[[Measurement]]](
            repeating: [[Measurement]](repeating: [], count: passes.count), count: selected.count)
        for round in 0..<rounds {
            if rounds > 1 { FileHandle.standardError.write(Data("round \(round + 1) of \(rounds)\n".utf8)) }
            var generator = RandomGenerator(seed: 0)
            for (index, convolution) in selected.enumerated() {
                let x = Tensor.randomNormal(convolution.input, using: &generator)
                let w = Tensor.randomNormal(convolution.weight, using: &generator)
                let dy = Tensor.randomNormal(
                    Tensor.conv2d(x, weight: w, options: convolution.options).shape, using: &generator)
                for (passIndex, pass) in passes.enumerated() {
                    let measurement = measure(pass, of: convolution, x: x, weight: w, outputGradient: dy, sgemm: sgemm)
                    measurements[index][passIndex].append(measurement)
                    if rounds == 1 { emit(measurement, of: convolution, pass: pass, range: nil) }
                }
            }
        }
        if rounds > 1 {
            for (index, convolution) in selected.enumerated() {
                for (passIndex, pass) in passes.enumerated() {
                    let all = measurements[index][passIndex]
                    let median = Measurement(
                        gflops: Self.median(all.map(\.gflops)), fractionOfSGEMM: Self.median(all.map(\.fractionOfSGEMM)),
                        sgemmGFLOPS: Self.median(all.map(\.sgemmGFLOPS)), seconds: Self.median(all.map(\.seconds)))
                    let fractions = all.map(\.fractionOfSGEMM)
                    emit(median, of: convolution, pass: pass, range: fractions.min()!...fractions.max()!)
                }
            }
        }
        if !json { printTargetSummary(measurements) }
    }

    /// How many of the reported passes (medians over rounds) reach the target share of sgemm.
    private func printTargetSummary(_ measurements: [[[Measurement]]]) {
        let fractions = measurements.flatMap { $0 }.map { Self.median($0.map(\.fractionOfSGEMM)) }
        let reached = fractions.filter { $0 >= Self.targetFractionOfSGEMM }.count
        print("\(reached) of \(fractions.count) passes at or above \(Int(Self.targetFractionOfSGEMM * 100))% of sgemm"
              + (rounds > 1 ? " (medians over \(rounds) rounds)" : ""))
    }

    /// Times `pass` of `convolution` in `alternations` turns with sgemm:
    /// each turn times sgemm for a share of `sgemmSeconds`, then the pass for
    /// a share of `minimumSeconds`, so that both sample the same spells of the
    /// machine's speed; the ratio is of the medians over all turns.
    func measure(
        _ pass: Pass, of convolution: Convolution, x: Tensor, weight w: Tensor, outputGradient dy: Tensor,
        sgemm: SGEMMOperands
    ) -> Measurement {
        let flops = 2.0 * Double(dy.count) * Double(convolution.weight.dropFirst().reduce(1, *))
        var sgemmTimes: [Double] = [], passTimes: [Double] = []
        for _ in 0..<Self.alternations {
            sgemmTimes += timedCalls(atLeast: Self.sgemmSeconds / Double(Self.alternations), calls: 2) { sgemm.multiply() }
            passTimes += timedCalls(atLeast: minimumSeconds / Double(Self.alternations), calls: 2) {
                switch pass {
                case .forward:
                    _ = Tensor.conv2d(x, weight: w, options: convolution.options)
                case .inputGradient:
                    _ = Tensor.conv2dBackwardInput(dy, weight: w, inputShape: x.shape, options: convolution.options)
                case .weightGradient:
                    _ = Tensor.conv2dBackwardWeight(dy, input: x, weightShape: w.shape, options: convolution.options)
                }
            }
        }
        let sgemmGFLOPS = sgemm.flops / Self.median(sgemmTimes) / 1e9
        let seconds = Self.median(passTimes)
        let gflops = flops / seconds / 1e9
        return Measurement(gflops: gflops, fractionOfSGEMM: gflops / sgemmGFLOPS, sgemmGFLOPS: sgemmGFLOPS, seconds: seconds)
    }

    /// Turns of sgemm and pass in the timing of one pass.
    static let alternations = 4
    /// Time given to sgemm in the timing of one pass, over all turns.
    static let sgemmSeconds = 0.2

    /// One line for a pass: a single measurement, or medians over rounds whose fractions of sgemm span `range`.
    private func emit(_ measurement: Measurement, of convolution: Convolution, pass: Pass, range: ClosedRange<Double>?) {
        var fields: [(String, Value)] = [
            ("name", .text(convolution.name)), ("pass", .text(pass.rawValue)),
            ("gflops", .number(measurement.gflops)), ("fraction_of_sgemm", .number(measurement.fractionOfSGEMM)),
            ("sgemm_gflops", .number(measurement.sgemmGFLOPS)),
            ("milliseconds", .number(measurement.seconds * 1000)),
            ("input", .text(convolution.input.map(String.init).joined(separator: "x"))),
            ("weight", .text(convolution.weight.map(String.init).joined(separator: "x"))),
            ("stride", .number(Double(convolution.options.stride.height))),
        ]
        if let range {
            fields += [("rounds", .number(Double(rounds))), ("fraction_of_sgemm_min", .number(range.lowerBound)),
                       ("fraction_of_sgemm_max", .number(range.upperBound))]
        }
        emit(fields)
    }

    /// The middle value (the mean of the two middle ones for an even count).
    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Two random square matrices whose product is the benchmark's reference.
    struct SGEMMOperands {
        let a: Tensor
        let b: Tensor

        init(size: Int) {
            var generator = RandomGenerator(seed: 1)
            a = Tensor.randomNormal([size, size], using: &generator)
            b = Tensor.randomNormal([size, size], using: &generator)
        }

        /// Floating-point operations of one product.
        var flops: Double { 2 * pow(Double(a.shape[0]), 3) }

        /// The product, split over FERKit's workers.
        func multiply() { _ = Tensor.matmul(a, b) }
    }

    /// Wall times of `body` after one warm-up call, repeated for at least
    /// `seconds` and at least `calls` times.
    func timedCalls(atLeast seconds: Double, calls: Int, _ body: () -> Void) -> [Double] {
        body()
        var times: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        while times.count < calls || Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds {
            let begin = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
        }
        return times
    }

    /// A JSON-line or table field value.
    enum Value {
        case text(String), number(Double)
    }

    private func emit(_ fields: [(String, Value)], header: Bool = false) {
        let common: [(String, Value)] = [
            ("suite", .text("kernels")), ("threads", .number(Double(Parallel.threadCount))),
            ("blas_kernel", .text(BLASRuntime.report.activeCore)),
        ]
        if json {
            let body = (fields + common).map { key, value in
                switch value {
                case .text(let text): "\"\(key)\": \"\(text)\""
                case .number(let number): "\"\(key)\": \((number * 1000).rounded() / 1000)"
                }
            }
            print("{" + body.joined(separator: ", ") + "}")
            return
        }
        if header {
            print("BLAS kernel \(BLASRuntime.report.activeCore), \(Parallel.threadCount) threads, ResNet18 convolutions at \(imageSize)x\(imageSize), batch \(batch)")
            print(pad("name", 24) + pad("pass", 17) + pad("GFLOP/s", 10, right: true) + pad("of sgemm", 10, right: true)
                  + pad("ms", 10, right: true) + pad("sgemm", 10, right: true)
                  + (rounds > 1 ? pad("range over \(rounds) rounds", 26, right: true) : ""))
        }
        let lookup = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        func text(_ key: String) -> String {
            switch lookup[key] {
            case .text(let text): text
            case .number(let number): String(format: "%.1f", number)
            case nil: ""
            }
        }
        let fraction: String = if case .number(let value) = lookup["fraction_of_sgemm"] { String(format: "%.0f%%", value * 100) } else { "" }
        var range = ""
        if case .number(let low) = lookup["fraction_of_sgemm_min"], case .number(let high) = lookup["fraction_of_sgemm_max"] {
            range = String(format: "%.0f-%.0f%%", low * 100, high * 100)
        }
        print(pad(text("name"), 24) + pad(text("pass"), 17) + pad(text("gflops"), 10, right: true)
              + pad(fraction, 10, right: true) + pad(text("milliseconds"), 10, right: true) + pad(text("sgemm_gflops"), 10, right: true)
              + pad(range, range.isEmpty ? 0 : 26, right: true))
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: Swift.max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}
