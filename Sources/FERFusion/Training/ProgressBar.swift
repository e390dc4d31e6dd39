import Foundation

/// Shows a run's progress: on a terminal, one line redrawn in place with the
/// epoch, a bar, loss, accuracy, throughput and the estimated time left; in
/// a log (not a terminal), a plain line every `lineInterval` seconds. Both
/// print one summary line per epoch.
public final class ProgressBar: TrainingCallback {
    /// How progress is drawn.
    public enum Style: Sendable {
        /// One line redrawn in place (`\r`), at most ten times a second.
        case terminal
        /// Plain lines, for logs and pipes.
        case plainLines
    }

    private let style: Style
    private let lineInterval: Double
    private let write: (String) -> Void
    private var lastDrawn = -Double.infinity
    private var epochSeconds: [Double] = []
    private var epochs = 0

    /// Progress written by `write` (standard error by default), drawn as a
    /// terminal line when standard error is a terminal and as plain lines
    /// every `lineInterval` seconds otherwise.
    public init(
        style: Style? = nil, lineInterval: Double = 30,
        write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.style = style ?? (isatty(STDERR_FILENO) == 1 ? .terminal : .plainLines)
        self.lineInterval = lineInterval
        self.write = write
    }

    public func trainingStarted(history: [EpochRecord], epochs: Int) throws {
        self.epochs = epochs
        epochSeconds = history.map(\.seconds)
        if let last = history.last { write("resuming after epoch \(last.epoch) of \(epochs)\n") }
    }

    public func batchEnded(_ progress: BatchProgress) {
        let interval = style == .terminal ? 0.1 : lineInterval
        guard progress.seconds - lastDrawn >= interval || progress.batch == progress.batches else { return }
        lastDrawn = progress.seconds
        let counter = progress.batches.map { "\(progress.batch)/\($0)" } ?? "\(progress.batch)"
        let figures = "loss \(fixed(progress.loss, 4))  acc \(percent(progress.accuracy))  "
            + "\(Int(progress.samplesPerSecond.rounded())) samples/s  ETA \(eta(progress))"
        switch style {
        case .terminal:
            write("\r\u{1B}[Kepoch \(progress.epoch)/\(progress.epochs) \(bar(progress)) \(counter)  \(figures)")
        case .plainLines:
            write("epoch \(progress.epoch)/\(progress.epochs) batch \(counter)  \(figures)\n")
        }
    }

    public func epochEnded(_ record: EpochRecord, isBest: Bool) throws {
        epochSeconds.append(record.seconds)
        lastDrawn = -.infinity
        let clear = style == .terminal ? "\r\u{1B}[K" : ""
        write(
            "\(clear)epoch \(record.epoch)/\(epochs)  train loss \(fixed(record.trainLoss, 4)) acc \(percent(record.trainAccuracy))"
                + "  val loss \(fixed(record.validationLoss, 4)) acc \(percent(record.validationAccuracy))"
                + " macro-F1 \(fixed(record.validationMacroF1, 3))  lr \(record.learningRate)"
                + "  \(duration(record.seconds))\(isBest ? "  best" : "")\n")
    }

    public func trainingEnded(history: [EpochRecord], stoppedEarly: Bool) {
        guard stoppedEarly, let last = history.last else { return }
        write("stopped early after epoch \(last.epoch): no improvement on the validation split\n")
    }

    /// `[#####-----]` over the epoch's batches (a spinner-free counter when the count is unknown).
    private func bar(_ progress: BatchProgress, width: Int = 20) -> String {
        guard let batches = progress.batches, batches > 0 else { return "" }
        let filled = Swift.min(width, width * progress.batch / batches)
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }

    /// Time left in this epoch plus the remaining epochs at the mean epoch duration.
    private func eta(_ progress: BatchProgress) -> String {
        guard let batches = progress.batches, progress.batch > 0 else { return "?" }
        let perBatch = progress.seconds / Double(progress.batch)
        let thisEpoch = perBatch * Double(batches - progress.batch)
        let epochDuration = epochSeconds.isEmpty ? perBatch * Double(batches) : epochSeconds.reduce(0, +) / Double(epochSeconds.count)
        return duration(thisEpoch + epochDuration * Double(Swift.max(0, progress.epochs - progress.epoch)))
    }
}

/// `h:mm:ss` or `m:ss`.
func duration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
    let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
    return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(rest))" : "\(minutes):\(twoDigits(rest))"
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

/// A fraction as a percentage with one decimal.
func percent(_ fraction: Double) -> String { String(format: "%.1f%%", 100 * fraction) }
