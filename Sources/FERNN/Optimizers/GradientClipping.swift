import Foundation
import FERTensor

/// Scales the gradients of `parameters` so that their total norm is at most
/// `maxNorm`, as `torch.nn.utils.clip_grad_norm_`, and returns the total norm
/// before clipping.
///
/// The total norm is the `normType`-norm of all gradient elements together,
/// `(Σ|g|ᵖ)^(1/p)`, or `max|g|` for `normType = .infinity` (accumulated in
/// Double). When it exceeds the limit, every gradient is multiplied by
/// `maxNorm / (norm + 1e-6)`. Parameters without a gradient are ignored;
/// with none at all the norm is 0.
///
/// - Precondition: `maxNorm >= 0` and `normType > 0`.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float, normType: Float = 2) -> Float {
    precondition(maxNorm >= 0, "clipGradientNorm: invalid maximum norm \(maxNorm)")
    precondition(normType > 0, "clipGradientNorm: invalid norm type \(normType)")
    let exponent = Double(normType)
    var accumulated = 0.0
    for gradient in parameters.compactMap(\.gradient) {
        gradient.withUnsafeBufferPointer { elements in
            for element in elements {
                let magnitude = Double(Swift.abs(element))
                if exponent == 2 {
                    accumulated += magnitude * magnitude
                } else if exponent.isInfinite {
                    accumulated = Swift.max(accumulated, magnitude)
                } else {
                    accumulated += pow(magnitude, exponent)
                }
            }
        }
    }
    let totalNorm = Float(exponent.isInfinite ? accumulated : pow(accumulated, 1 / exponent))
    let coefficient = maxNorm / (totalNorm + 1e-6)
    if coefficient < 1 {
        transformGradients(of: parameters) { $0 * coefficient }
    }
    return totalNorm
}

/// Clamps every gradient element of `parameters` to `-maxValue...maxValue`,
/// as `torch.nn.utils.clip_grad_value_`. NaN stays NaN.
///
/// - Precondition: `maxValue >= 0`.
public func clipGradientValues(_ parameters: [Parameter], maxValue: Float) {
    precondition(maxValue >= 0, "clipGradientValues: invalid maximum value \(maxValue)")
    transformGradients(of: parameters) { Swift.min(Swift.max($0, -maxValue), maxValue) }
}

/// Replaces every gradient element by `transform` of it, in place.
@inline(__always)
private func transformGradients(of parameters: [Parameter], _ transform: (Float) -> Float) {
    for parameter in parameters {
        guard var gradient = parameter.gradient else { continue }
        parameter.gradient = nil  // so that `gradient` is the only reference and changes in place
        gradient.withUnsafeMutableBufferPointer { elements in
            for index in elements.indices { elements[index] = transform(elements[index]) }
        }
        parameter.gradient = gradient
    }
}
