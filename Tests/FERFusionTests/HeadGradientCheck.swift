import FERFusion
import FERNN
import FERTensor
import Testing

/// Checks a head's gradients with respect to its inputs (made into a
/// `FusionInput` by `makeInput`) and a
/// sample of every parameter against central finite differences of
/// `L = sum(head(input) * probe)` (Float32: step 3e-3, tolerance 1e-2
/// relative plus 2e-3 absolute). Positions where a ReLU kink lies within one
/// step (the one-sided differences disagree) are skipped, as long as some
/// position of each tensor is checked.
func expectHeadGradientsMatchFiniteDifferences(
    _ head: any FusionHead, inputs: [Tensor], samplesPerTensor: Int = 6, sourceLocation: SourceLocation = #_sourceLocation,
    _ makeInput: @escaping ([Variable]) -> FusionInput
) {
    let step: Float = 3e-3
    head.eval()  // no dropout: the objective must be deterministic
    head.zeroGradients()
    let variables = inputs.map { Variable($0, requiresGradient: true) }
    let output = head(makeInput(variables))
    var generator = RandomGenerator(seed: 5)
    let probe = Tensor.randomNormal(output.shape, using: &generator)
    (output * Variable(probe)).sum().backward()

    func objective(_ inputs: [Tensor]) -> Double {
        let result = noGrad { head(makeInput(inputs.map { Variable($0) })) }.value
        return zip(result.scalars, probe.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    // Each checked tensor: its name, value, gradient, and the objective with it replaced.
    var checks: [(String, Tensor, Tensor?, (Tensor) -> Double)] = inputs.indices.map { index in
        ("input \(index)", inputs[index], variables[index].gradient, { value in
            var changed = inputs
            changed[index] = value
            return objective(changed)
        })
    }
    for (key, parameter) in head.namedParameters {
        let original = parameter.value
        checks.append((key, original, parameter.gradient, { value in
            parameter.value = value
            defer { parameter.value = original }
            return objective(inputs)
        }))
    }
    let unchanged = objective(inputs)
    for (name, value, gradient, evaluate) in checks {
        guard let gradient else {
            Issue.record("\(name) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        var checked = 0
        for position in (0..<samplesPerTensor).map({ _ in Int(generator.next() % UInt64(value.count)) }) {
            var plus = value, minus = value
            plus.withUnsafeMutableBufferPointer { $0[position] += step }
            minus.withUnsafeMutableBufferPointer { $0[position] -= step }
            let (above, below) = (evaluate(plus), evaluate(minus))
            let forward = (above - unchanged) / Double(step), backward = (unchanged - below) / Double(step)
            guard isSmooth(forward, backward) else { continue }  // a kink between the two points
            checked += 1
            let numeric = (above - below) / Double(2 * step), analytic = Double(gradient.scalars[position])
            if !agree(numeric, analytic) {
                Issue.record("\(name)[\(position)]: autograd \(analytic), finite differences \(numeric)", sourceLocation: sourceLocation)
                break
            }
        }
        #expect(checked > 0, "\(name): every sampled position sits at a kink", sourceLocation: sourceLocation)
    }
}

/// Whether one-sided differences are close enough for the function to be
/// smooth between the points (curvature moves them apart by O(step); a ReLU
/// kink by the size of the slope itself).
private func isSmooth(_ forward: Double, _ backward: Double) -> Bool {
    Swift.abs(forward - backward) <= 2e-2 + 0.05 * Swift.max(Swift.abs(forward), Swift.abs(backward))
}

/// Whether two derivative estimates agree within 1e-2 relative plus 2e-3 absolute.
private func agree(_ a: Double, _ b: Double) -> Bool {
    Swift.abs(a - b) <= 2e-3 + 1e-2 * Swift.max(Swift.abs(a), Swift.abs(b))
}
