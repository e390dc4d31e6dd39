import Foundation

/// The metric a run selects its best epoch by and stops early on.
public enum MonitoredMetric: String, Codable, CaseIterable, Sendable {
    case accuracy
    case meanClassAccuracy = "mean-class-accuracy"
    case macroF1 = "macro-f1"
    case loss

    /// Whether larger values are better.
    public var higherIsBetter: Bool { self != .loss }

    /// This metric's value in `record`'s validation figures.
    public func value(in record: EpochRecord) -> Double {
        switch self {
        case .accuracy: record.validationAccuracy
        case .meanClassAccuracy: record.validationMeanClassAccuracy
        case .macroF1: record.validationMacroF1
        case .loss: record.validationLoss
        }
    }
}

/// What one epoch of training measured; one JSON line of the metrics log.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Learning rate used during the epoch.
    public var learningRate: Float
    /// Mean training loss over the epoch's samples.
    public var trainLoss: Double
    /// Training accuracy (with the augmentation and dropout of training).
    public var trainAccuracy: Double
    /// Validation loss, accuracy, mean class accuracy and macro-F1.
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var validationMeanClassAccuracy: Double
    public var validationMacroF1: Double
    /// Wall-clock seconds of the epoch (training and validation).
    public var seconds: Double
    /// Training samples per second.
    public var samplesPerSecond: Double
    /// Training batches skipped for a NaN or infinite loss or gradient (`NonFinitePolicy.skipBatch`).
    public var skippedBatches: Int

    enum CodingKeys: String, CodingKey {
        case epoch, learningRate = "lr", trainLoss = "train_loss", trainAccuracy = "train_accuracy"
        case validationLoss = "val_loss", validationAccuracy = "val_accuracy"
        case validationMeanClassAccuracy = "val_mean_class_accuracy", validationMacroF1 = "val_macro_f1"
        case seconds, samplesPerSecond = "samples_per_second", skippedBatches = "skipped_batches"
    }
}

extension EpochRecord {
    /// How metrics logs and checkpoints encode records: sorted keys, and
    /// non-finite figures (a diverged validation loss) as the strings
    /// `"nan"`, `"inf"`, `"-inf"` rather than an encoding error.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// Reads what `encoder()` writes.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
