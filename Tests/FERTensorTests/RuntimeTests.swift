import Dispatch
import Testing
@testable import FERTensor

@Suite struct RandomGeneratorTests {
    @Test func sameSeedGivesSameStream() {
        var first = RandomGenerator(seed: 42), second = RandomGenerator(seed: 42)
        #expect((0..<100).map { _ in first.next() } == (0..<100).map { _ in second.next() })
    }

    @Test func differentSeedsGiveDifferentStreams() {
        var first = RandomGenerator(seed: 1), second = RandomGenerator(seed: 2)
        #expect((0..<8).map { _ in first.next() } != (0..<8).map { _ in second.next() })
    }

    @Test func splitIsReproducibleAndIndependentOfTheParent() {
        var parent = RandomGenerator(seed: 7), again = RandomGenerator(seed: 7)
        var child = parent.split(), sameChild = again.split()
        let childValues = (0..<16).map { _ in child.next() }
        #expect(childValues == (0..<16).map { _ in sameChild.next() })
        #expect(childValues != (0..<16).map { _ in parent.next() })
    }

    @Test func uniformSamplesStayInRangeWithTheRightMean() {
        var generator = RandomGenerator(seed: 3)
        let samples = Tensor.randomUniform([100_000], low: -2, high: 3, using: &generator).scalars
        #expect(samples.allSatisfy { $0 >= -2 && $0 < 3 })
        let mean = samples.reduce(0, +) / Float(samples.count)
        #expect(Swift.abs(mean - 0.5) < 0.02)
    }

    @Test func normalSamplesHaveTheRequestedMoments() {
        var generator = RandomGenerator(seed: 4)
        let samples = Tensor.randomNormal([100_001], mean: 1, standardDeviation: 2, using: &generator).scalars.map(Double.init)
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)
        #expect(Swift.abs(mean - 1) < 0.03)
        #expect(Swift.abs(variance.squareRoot() - 2) < 0.03)
        #expect(samples.allSatisfy { $0.isFinite })
    }
}

@Suite struct BLASRuntimeTests {
    @Test func openBLASRunsTheBestKernelForThisCPU() {
        let report = BLASRuntime.report
        #expect(report.activeCore != "Prescott" || !BLASRuntime.cpuHasAVX2FMA)
        if BLASRuntime.cpuHasAVX512 && !report.keptEnvironmentCore {
            #expect(["SkylakeX", "Cooperlake", "SapphireRapids"].contains(report.activeCore))
        }
    }

    @Test func openBLASIsPinnedToOneThread() {
        _ = BLASRuntime.report
        #expect(BLASRuntime.threadCount == 1)
    }
}

@Suite struct ParallelTests {
    @Test func rangesCoverTheWholeIntervalOnce() {
        for total in [1, 2, 7, 100] {
            for workers in 1...5 where workers <= total {
                let ranges = (0..<workers).map { Parallel.range($0, of: workers, total: total) }
                #expect(ranges.flatMap { Array($0) } == Array(0..<total))
                #expect(ranges.map(\.count).max()! - ranges.map(\.count).min()! <= 1)
            }
        }
    }

    /// Runs `loops` loops of 1 to 17 tasks and returns, for each, whether every index ran exactly once.
    private static func loopsRunEveryIndexOnce(_ loops: Int, nested: Bool = false) -> Bool {
        var allExact = true
        for loop in 0..<loops {
            let count = 1 + loop % 17
            let runs = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
            runs.initialize(repeating: 0)
            Parallel.forEach(count) { index in
                if nested {
                    var inner = 0
                    Parallel.forEach(3) { _ in inner += 1 }  // nested loops run inline, on this task's thread
                    runs[index] += inner == 3 ? 1 : 100
                } else {
                    runs[index] += 1
                }
            }
            allExact = allExact && runs.allSatisfy { $0 == 1 }
            runs.deallocate()
        }
        return allExact
    }

    @Test func backToBackLoopsRunEveryIndexExactlyOnce() {
        #expect(Self.loopsRunEveryIndexOnce(3000))
    }

    @Test func loopsInsideATaskRunInline() {
        #expect(Self.loopsRunEveryIndexOnce(300, nested: true))
    }

    @Test func loopsFromSeveralThreadsAtOnceAllComplete() {
        let callers = 4
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: callers)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            results[caller] = Self.loopsRunEveryIndexOnce(500)
        }
        #expect(results.allSatisfy { $0 })
    }

    @Test func scratchBuffersAreAlignedAndReused() {
        let first = ScratchPool.shared.withBuffer(count: 1000) { Int(bitPattern: $0) }
        #expect(first % 64 == 0)
        let second = ScratchPool.shared.withBuffer(count: 900) { Int(bitPattern: $0) }
        #expect(second % 64 == 0)
    }
}
