/// The seven basic facial expressions in FERKit's canonical order.
///
/// The order is RAF-DB's (0-based): every dataset source maps its own label
/// numbering into this one explicitly, and checkpoints store the class names
/// they were trained with.
public enum Expression: Int, CaseIterable, Sendable, CustomStringConvertible {
    case surprise = 0, fear, disgust, happiness, sadness, anger, neutral

    /// Lower-case English name, as written in reports and checkpoints.
    public var name: String {
        switch self {
        case .surprise: "surprise"
        case .fear: "fear"
        case .disgust: "disgust"
        case .happiness: "happiness"
        case .sadness: "sadness"
        case .anger: "anger"
        case .neutral: "neutral"
        }
    }

    /// The canonical class names in order.
    public static var names: [String] { allCases.map(\.name) }

    /// The expression with this name, accepting the common synonyms used by
    /// dataset folders ("happy", "sad", "angry", "surprised", "fearful",
    /// "disgusted"), case-insensitively.
    public init?(name: String) {
        let synonyms: [String: Expression] = [
            "surprise": .surprise, "surprised": .surprise,
            "fear": .fear, "fearful": .fear,
            "disgust": .disgust, "disgusted": .disgust,
            "happiness": .happiness, "happy": .happiness,
            "sadness": .sadness, "sad": .sadness,
            "anger": .anger, "angry": .anger,
            "neutral": .neutral,
        ]
        guard let expression = synonyms[name.lowercased()] else { return nil }
        self = expression
    }

    /// RAF-DB's 1-based label (1 = surprise ... 7 = neutral) to the canonical class.
    public init?(rafdbLabel: Int) {
        self.init(rawValue: rafdbLabel - 1)
    }

    public var description: String { name }
}
