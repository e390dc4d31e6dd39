import FERFusion
import FERNN
import FERTensor
import Testing

@Suite struct AttentionFusionHeadTests {
    static func head(_ configuration: AttentionFusionConfiguration, widths: (Int, Int) = (32, 32)) -> AttentionFusionHead {
        var generator = RandomGenerator(seed: 11)
        return AttentionFusionHead(featureWidths: widths, classCount: 7, configuration: configuration, generator: &generator)
    }

    @Test func perSampleAttentionPredictsAnImageTheSameAloneAndInBatchesOf8And64() {
        let features = SyntheticFeatures(count: 64, widths: (32, 32), seed: 1)
        let perSample = Self.head(.init(scope: .perSample, tokens: 8))
        let batch = Self.head(.init(scope: .batch))
        perSample.eval()
        batch.eval()
        func firstRow(_ head: AttentionFusionHead, batchOf size: Int) -> Tensor {
            noGrad { head(features.input(0..<size)) }.value.sliced(axis: 0, range: 0..<1)
        }
        let alone = firstRow(perSample, batchOf: 1)
        for size in [8, 64] {
            let difference = (firstRow(perSample, batchOf: size) - alone).abs().max().item
            #expect(difference < 1e-5, "batch of \(size): per-sample prediction moved by \(difference)")
        }
        let batchAlone = firstRow(batch, batchOf: 1)
        let batchDifference = (firstRow(batch, batchOf: 64) - batchAlone).abs().max().item
        #expect(batchDifference > 1e-3, "batch scope should depend on the batch, moved by \(batchDifference)")
    }

    @Test func keysFollowTheReferenceHeadAndOptionsAddOrRemoveLayers() {
        let paper = Self.head(.init())
        #expect(paper.stateDictKeys == [
            "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias", "local_in.weight", "local_in.bias",
            "local_conv.weight", "local_conv.bias", "local_out.weight", "local_out.bias",
            "classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias",
        ])
        let ablated = Self.head(.init(localAttention: false, learnedProjections: true), widths: (48, 32))
        let keys = Set(ablated.stateDictKeys.map { $0.split(separator: ".")[0] })
        #expect(keys == ["project_first", "mlp", "query", "key", "value", "classifier"])
        #expect(ablated.width == 32)
        #expect(ablated.stateDict()["project_first.weight"]?.shape == [32, 48])
    }

    @Test func theReferenceShapeHasThePyTorchHeadsParameterCount() {
        // shared/bench/torch_fusion_head.py: 512 + 512 features, 16 tokens, 7 classes.
        var generator = RandomGenerator(seed: 1)
        let head = AttentionFusionHead(featureWidths: (512, 512), classCount: 7, generator: &generator)
        #expect(head.parameterCount == 1_445_899)  // what the script prints as "parameters"
    }
}
