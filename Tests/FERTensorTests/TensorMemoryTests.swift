import Dispatch
import Foundation
import Testing
@testable import FERTensor

@Suite struct ArenaLayoutTests {
    @Test func placesABlockInTheSmallestFreeRangeThatHoldsIt() throws {
        var layout = ArenaLayout(capacity: 1000)
        let offsets = try [100, 50, 200, 10].map { try layout.place($0) }
        #expect(offsets == [0, 100, 150, 350])
        layout.free(offset: 0, size: 100)
        layout.free(offset: 150, size: 200)
        #expect(layout.allocate(size: 90) == 0)
        #expect(layout.allocate(size: 150) == 150)
        #expect(layout.allocate(size: 700) == nil)
        #expect(layout.liveBytes == 90 + 50 + 150 + 10)
    }

    @Test func freedNeighboursCoalesce() throws {
        var layout = ArenaLayout(capacity: 1000)
        let offsets = try [100, 50, 200].map { try layout.place($0) }
        layout.free(offset: offsets[0], size: 100)
        layout.free(offset: offsets[2], size: 200)
        #expect(layout.freeRanges == [0..<100, 150..<1000])
        layout.free(offset: offsets[1], size: 50)
        #expect(layout.freeRanges == [0..<1000])
        #expect(layout.liveBytes == 0)
        #expect(layout.allocate(size: 1000) == 0)
    }

    @Test func releaseDiscardsFreeBytesUntilTheLimitHolds() throws {
        var layout = ArenaLayout(capacity: 1000)
        for _ in 0..<3 { _ = try layout.place(100) }
        layout.free(offset: 100, size: 100)
        #expect(layout.residentFreeBytes == 100)
        #expect(layout.release(keepingAtMost: 100).isEmpty)
        #expect(layout.release(keepingAtMost: 0) == [100..<200])
        #expect(layout.residentFreeBytes == 0)
        #expect(layout.releasedRanges == [100..<200])

        // Reusing part of a released range makes that part resident again.
        #expect(layout.allocate(size: 50) == 100)
        #expect(layout.releasedRanges == [150..<200])
        #expect(layout.residentFreeBytes == 0)

        // Freeing the highest block lowers the resident end instead of recording a release.
        layout.free(offset: 200, size: 100)
        #expect(layout.residentFreeBytes == 100)
        #expect(layout.release(keepingAtMost: 0) == [200..<300])
        #expect(layout.residentEnd == 150)
        #expect(layout.releasedRanges.isEmpty)
        #expect(layout.residentFreeBytes == 0)
    }

    /// A training-step-like pattern: a forward pass keeps activations of
    /// shrinking sizes, the backward pass frees them in reverse while gradient
    /// buffers of other sizes come and go. Memory must stop growing after the
    /// first step and stay close to the peak of live bytes.
    @Test func repeatedStepsReachASteadyFootprintNearTheLivePeak() throws {
        var layout = ArenaLayout(capacity: 1 << 30)
        let activationSizes = [2000, 2000, 500, 500, 250, 250, 120, 120]
        var livePeak = 0
        var residentEndAfterStep: [Int] = []
        for _ in 0..<10 {
            var saved: [(offset: Int, size: Int)] = []
            for size in activationSizes {
                saved.append((try layout.place(size), size))
                livePeak = max(livePeak, layout.liveBytes)
            }
            var gradient = (offset: try layout.place(60), size: 60)
            for activation in saved.reversed() {
                let next = (offset: try layout.place(activation.size * 3 / 2), size: activation.size * 3 / 2)
                livePeak = max(livePeak, layout.liveBytes)
                layout.free(offset: gradient.offset, size: gradient.size)
                layout.free(offset: activation.offset, size: activation.size)
                gradient = next
            }
            layout.free(offset: gradient.offset, size: gradient.size)
            #expect(layout.liveBytes == 0)
            residentEndAfterStep.append(layout.residentEnd)
        }
        #expect(Set(residentEndAfterStep.dropFirst(2)).count == 1)
        #expect(Double(residentEndAfterStep.last!) <= 1.25 * Double(livePeak))
    }
}

/// Test shorthand: a block's offset, or an error when the layout is full.
private extension ArenaLayout {
    struct Full: Error {}

    mutating func place(_ size: Int) throws -> Int {
        guard let offset = allocate(size: size) else { throw Full() }
        return offset
    }
}

@Suite struct TensorMemoryTests {
    /// Threads allocate, fill and free large tensors at once: every tensor
    /// must keep its own contents (no two live blocks may overlap).
    @Test func concurrentLargeTensorsNeverShareBytes() {
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            var generator = RandomGenerator(seed: UInt64(worker))
            var alive: [(tensor: Tensor, value: Float)] = []
            for round in 0..<60 {
                let count = 65_536 + Int(generator.next() % 400_000)
                let value = Float(worker * 1000 + round)
                alive.append((Tensor.full([count], value: value), value))
                if alive.count > 5 || generator.next() % 3 == 0 {
                    let index = Int(generator.next() % UInt64(alive.count))
                    let (tensor, expected) = alive.remove(at: index)
                    if !tensor.scalars.allSatisfy({ $0 == expected }) { failures.record() }
                }
            }
            for (tensor, expected) in alive where !tensor.scalars.allSatisfy({ $0 == expected }) { failures.record() }
        }
        #expect(failures.count == 0)
    }

    @Test func largeBuffersComeFromTheArenaAndSmallOnesDoNot() {
        let large = Tensor.zeros([1 << 18])
        let small = Tensor.zeros([1 << 10])
        #expect(TensorMemory.arenaHolds(UnsafeMutableRawPointer(large.storage.base)))
        #expect(!TensorMemory.arenaHolds(UnsafeMutableRawPointer(small.storage.base)))
    }

    /// Thread-safe failure counter for `concurrentPerform` bodies.
    private final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        var count: Int { lock.withLock { value } }
        func record() { lock.withLock { value += 1 } }
    }
}
