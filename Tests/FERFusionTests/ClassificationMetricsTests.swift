import FERFusion
import Testing

@Suite struct ClassificationMetricsTests {
    @Test func figuresFollowScikitLearnOnAWorkedExample() {
        // labels:      0 0 0 0 1 1 2 2 2 3
        // predictions: 0 0 1 2 1 1 2 0 2 0   (class 3 never predicted right)
        let metrics = ClassificationMetrics(
            classNames: ["a", "b", "c", "d"], predictions: [0, 0, 1, 2, 1, 1, 2, 0, 2, 0], labels: [0, 0, 0, 0, 1, 1, 2, 2, 2, 3])
        #expect(metrics.confusion == [[2, 1, 1, 0], [0, 2, 0, 0], [1, 0, 2, 0], [1, 0, 0, 0]])
        #expect(metrics.count == 10 && metrics.support == [4, 2, 3, 1])
        #expect(metrics.accuracy == 0.6)
        #expect(metrics.recall == [0.5, 1, 2.0 / 3, 0])
        #expect(metrics.precision == [0.5, 2.0 / 3, 2.0 / 3, 0])
        // sklearn: f1_score(average=None) = [0.5, 0.8, 0.6667, 0]; macro = 0.49167; balanced_accuracy = 0.54167
        let expectedF1 = [0.5, 0.8, 2.0 / 3, 0]
        #expect(zip(metrics.f1, expectedF1).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(metrics.macroF1 - (0.5 + 0.8 + 2.0 / 3) / 4) < 1e-12)
        #expect(abs(metrics.meanClassAccuracy - (0.5 + 1 + 2.0 / 3) / 4) < 1e-12)
    }

    @Test func classesAbsentFromLabelsAndPredictionsDoNotCountInTheMeans() {
        var metrics = ClassificationMetrics(classNames: ["a", "b", "c"])
        metrics.add(predictions: [0, 1], labels: [0, 1])
        metrics.add(predictions: [1], labels: [1])
        #expect(metrics.accuracy == 1 && metrics.meanClassAccuracy == 1 && metrics.macroF1 == 1)
        #expect(ClassificationMetrics(classNames: ["a"]).accuracy == 0)
    }
}
