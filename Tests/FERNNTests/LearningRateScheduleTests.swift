import Foundation
import Testing
@testable import FERNN

/// The learning rates of epochs 0..<count of an epoch schedule, stepping it as training does.
private func learningRates(_ schedule: some EpochLearningRateSchedule, epochs count: Int) -> [Float] {
    (0..<count).map { _ in
        defer { schedule.step() }
        return schedule.learningRate
    }
}

@Suite struct LearningRateScheduleTests {
    @Test func stepLRDecaysEveryStepSizeEpochs() {
        let rates = learningRates(StepLR(baseLearningRate: 0.1, stepSize: 3, gamma: 0.1), epochs: 8)
        expectClose(rates, [0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001])
    }

    @Test func multiStepLRDecaysAtEachMilestone() {
        let rates = learningRates(MultiStepLR(baseLearningRate: 1, milestones: [2, 5], gamma: 0.5), epochs: 7)
        expectClose(rates, [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])
    }

    @Test func cosineAnnealingWarmsUpLinearlyThenFollowsTheCosine() {
        let schedule = CosineAnnealing(
            baseLearningRate: 1, totalEpochs: 6, warmupEpochs: 2, warmupStartFactor: 0.25, minimumLearningRate: 0.1)
        let halfAmplitude = 0.45, diagonal = 0.5.squareRoot()
        expectClose(learningRates(schedule, epochs: 8), [
            0.25, 0.625, 1,
            0.1 + halfAmplitude * (1 + diagonal), 0.1 + halfAmplitude, 0.1 + halfAmplitude * (1 - diagonal),
            0.1, 0.1,
        ])
    }

    @Test func cosineAnnealingWithoutWarmupStartsAtTheBaseRate() {
        let rates = learningRates(CosineAnnealing(baseLearningRate: 2, totalEpochs: 4), epochs: 5)
        expectClose(rates, [2, 1 + 0.5.squareRoot(), 1, 1 - 0.5.squareRoot(), 0])
    }

    @Test func reduceOnPlateauWaitsForPatienceAndCooldown() {
        let schedule = ReduceLROnPlateau(
            learningRate: 1, mode: .min, factor: 0.5, patience: 2, threshold: 0.1, cooldown: 1, minimumLearningRate: 0.2)
        let metrics: [Double] = [10, 9.5, 9.2, 9.1, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8]
        let rates = metrics.map { metric -> Float in
            schedule.step(metric: metric)
            return schedule.learningRate
        }
        // 9.5 is not 10% below 10: bad epochs 1, 2, 3 > patience → 0.5 and a cooldown that swallows
        // epoch 5; three more bad epochs → 0.25; 8 improves; three bad → max(0.125, 0.2); then at the minimum.
        expectClose(rates, [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2])
        #expect(schedule.best == 8)
    }

    @Test func reduceOnPlateauInMaxModeWithAbsoluteThreshold() {
        let schedule = ReduceLROnPlateau(learningRate: 1, mode: .max, factor: 0.1, patience: 0, threshold: 0.5, thresholdMode: .absolute)
        let rates = [1, 1.4, 2, 2.4].map { metric -> Float in
            schedule.step(metric: metric)
            return schedule.learningRate
        }
        expectClose(rates, [1, 0.1, 0.1, 0.01])
    }

    @Test func epochScheduleResumesFromItsState() throws {
        let original = CosineAnnealing(baseLearningRate: 1, totalEpochs: 10, warmupEpochs: 3)
        for _ in 0..<4 { original.step() }
        let resumed = CosineAnnealing(baseLearningRate: 1, totalEpochs: 10, warmupEpochs: 3)
        try resumed.load(state: original.state, source: nil)
        #expect(learningRates(resumed, epochs: 7) == learningRates(original, epochs: 7))
    }

    @Test func plateauScheduleResumesFromItsState() throws {
        let metrics: [Double] = [5, 5, 5, 4, 4, 4, 4, 4]
        func make() -> ReduceLROnPlateau { ReduceLROnPlateau(learningRate: 0.1, patience: 1, cooldown: 2) }
        let original = make()
        for metric in metrics.prefix(3) { original.step(metric: metric) }
        let resumed = make()
        try resumed.load(state: original.state, source: nil)
        for metric in metrics.dropFirst(3) {
            original.step(metric: metric)
            resumed.step(metric: metric)
            #expect(resumed.learningRate == original.learningRate)
        }
        #expect(resumed.state == original.state)
    }

    @Test func missingOrInvalidStateIsRejected() {
        #expect(throws: TrainingStateError.missingValue(key: "last_epoch", source: "a.safetensors")) {
            try StepLR(baseLearningRate: 1, stepSize: 1).load(state: [:], source: "a.safetensors")
        }
        var state = ReduceLROnPlateau(learningRate: 1).state
        state["num_bad_epochs"] = -1
        #expect(throws: TrainingStateError.self) { try ReduceLROnPlateau(learningRate: 1).load(state: state, source: nil) }
    }
}
