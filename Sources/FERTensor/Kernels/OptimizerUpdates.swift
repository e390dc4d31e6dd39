import CFERKernels
import Foundation

/// Fused element-wise update rules of the optimizers in FERNN: one
/// vectorised pass over a parameter and its state, split across the workers
/// for large parameters.
public enum OptimizerUpdates {
    /// Coefficients of one Adam step (`torch.optim.Adam`'s single-tensor update).
    public struct AdamCoefficients {
        /// `lr / (1 - beta1^t)`.
        public var stepSize: Float
        /// Decay rates of the first and second moments.
        public var beta1: Float, beta2: Float
        /// Added to the denominator.
        public var epsilon: Float
        /// `sqrt(1 - beta2^t)`.
        public var secondMomentCorrection: Float
        /// L2 weight decay added to the gradient (Adam), or 0.
        public var coupledDecay: Float
        /// `1 - lr * decay` applied to the parameter first (AdamW), or 1.
        public var shrink: Float

        /// The coefficients of step `t` (counted from 1).
        public init(
            learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, step: Int, coupledDecay: Float = 0,
            shrink: Float = 1
        ) {
            let t = Double(step)
            stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
            secondMomentCorrection = Float((1 - pow(Double(beta2), t)).squareRoot())
            (self.beta1, self.beta2, self.epsilon, self.coupledDecay, self.shrink) = (beta1, beta2, epsilon, coupledDecay, shrink)
        }
    }

    /// Elements per worker below which an update stays on one thread.
    static let parallelChunk = 1 << 16

    /// One Adam step: updates both moments (and the running maximum of the
    /// second one with AMSGrad) and moves `value`. All buffers have `value.count` elements.
    public static func adam(
        value: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
        firstMoment: UnsafeMutableBufferPointer<Float>, secondMoment: UnsafeMutableBufferPointer<Float>,
        maximumSecondMoment: UnsafeMutableBufferPointer<Float>?, coefficients: AdamCoefficients
    ) {
        let count = value.count
        precondition(
            gradient.count == count && firstMoment.count == count && secondMoment.count == count
                && (maximumSecondMoment?.count ?? count) == count,
            "OptimizerUpdates.adam: buffers must all have \(count) elements")
        let raw = fer_adam_coefficients(
            step_size: coefficients.stepSize, beta1: coefficients.beta1, beta2: coefficients.beta2,
            epsilon: coefficients.epsilon, second_moment_correction: coefficients.secondMomentCorrection,
            coupled_decay: coefficients.coupledDecay, shrink: coefficients.shrink)
        let (v, g, m, s, maximum) = (
            value.baseAddress, gradient.baseAddress, firstMoment.baseAddress, secondMoment.baseAddress,
            maximumSecondMoment?.baseAddress)
        Parallel.forRanges(count, minimumChunk: parallelChunk) { _, range in
            fer_adam_update(v, g, m, s, maximum, raw, range.lowerBound, range.upperBound)
        }
    }
}
