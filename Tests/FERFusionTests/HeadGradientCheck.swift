import FERFusion
import FERNN
import FERTensor
import FERTestSupport
import Testing

/// Checks a head's gradients with respect to its inputs (made into a
/// `FusionInput` by `makeInput`) and a sample of every parameter against
/// finite differences (`expectModuleGradientsMatchFiniteDifferences`).
func expectHeadGradientsMatchFiniteDifferences(
    _ head: any FusionHead, inputs: [Tensor], samplesPerTensor: Int = 6, sourceLocation: SourceLocation = #_sourceLocation,
    _ makeInput: @escaping ([Variable]) -> FusionInput
) {
    expectModuleGradientsMatchFiniteDifferences(
        head, inputs: inputs, samplesPerTensor: samplesPerTensor, sourceLocation: sourceLocation) { head(makeInput($0)) }
}
