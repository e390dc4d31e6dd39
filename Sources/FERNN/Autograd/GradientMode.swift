/// Whether operations on variables record the graph that `backward()` walks.
public enum GradientMode {
    @TaskLocal static var isRecording = true

    /// Whether operations currently record gradients (false inside `noGrad`).
    public static var isEnabled: Bool { isRecording }
}

/// Runs `body` without recording any graph: for inference and feature
/// extraction. Results of operations inside never require gradients, and no
/// intermediate tensors are kept for a backward pass.
public func noGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    try GradientMode.$isRecording.withValue(false) { try body() }
}
