import FERNN
import FERTensor
import Testing

/// Checks the gradients of a module's computation with respect to its
/// inputs and a sample of every parameter against central finite
/// differences of `L = sum(compute(inputs) * probe)` with a fixed random probe.
///
/// Float32 forward passes with step 1e-3 give estimates good to about 1e-3
/// relative; the check allows 1e-2 relative plus 2e-3 absolute. Positions
/// where a kink (ReLU, max, min) lies within one step are skipped, as long as
/// some position of each tensor is checked: there the central differences
/// with the step and with half of it disagree (on a smooth function they
/// differ by O(step²) only), which also catches a parameter shared by many
/// positions (a bias) whose change moves a few of them across a kink. The module runs in evaluation mode so that
/// dropout does not make the objective random.
public func expectModuleGradientsMatchFiniteDifferences(
    _ module: Module, inputs: [Tensor], samplesPerTensor: Int = 6, sourceLocation: SourceLocation = #_sourceLocation,
    _ compute: @escaping ([Variable]) -> Variable
) {
    let step: Float = 1e-3
    module.eval()
    module.zeroGradients()
    let variables = inputs.map { Variable($0, requiresGradient: true) }
    let output = compute(variables)
    var generator = RandomGenerator(seed: 5)
    let probe = Tensor.randomNormal(output.shape, using: &generator)
    (output * Variable(probe)).sum().backward()

    func objective(_ inputs: [Tensor]) -> Double {
        let result = noGrad { compute(inputs.map { Variable($0) }) }.value
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
    for (key, parameter) in module.namedParameters {
        let original = parameter.value
        checks.append((key, original, parameter.gradient, { value in
            parameter.value = value
            defer { parameter.value = original }
            return objective(inputs)
        }))
    }
    for (name, value, gradient, evaluate) in checks {
        guard let gradient else {
            Issue.record("\(name) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        var checked = 0
        for position in (0..<samplesPerTensor).map({ _ in Int(generator.next() % UInt64(value.count)) }) {
            func centralDifference(_ step: Float) -> Double {
                var plus = value, minus = value
                plus.withUnsafeMutableBufferPointer { $0[position] += step }
                minus.withUnsafeMutableBufferPointer { $0[position] -= step }
                return (evaluate(plus) - evaluate(minus)) / Double(2 * step)
            }
            let numeric = centralDifference(step), halfStep = centralDifference(step / 2)
            guard agree(numeric, halfStep, relative: 2e-3, absolute: 5e-4) else { continue }  // a kink nearby
            checked += 1
            let analytic = Double(gradient.scalars[position])
            if !agree(numeric, analytic) {
                Issue.record("\(name)[\(position)]: autograd \(analytic), finite differences \(numeric)", sourceLocation: sourceLocation)
                break
            }
        }
        #expect(checked > 0, "\(name): every sampled position sits at a kink", sourceLocation: sourceLocation)
    }
}

/// Whether two derivative estimates agree within `relative` (of the larger) plus `absolute`.
private func agree(_ a: Double, _ b: Double, relative: Double = 1e-2, absolute: Double = 2e-3) -> Bool {
    Swift.abs(a - b) <= absolute + relative * Swift.max(Swift.abs(a), Swift.abs(b))
}
