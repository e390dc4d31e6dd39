/// Why a saved optimizer or schedule state cannot be restored (beyond the
/// key and shape problems that `StateDictError` reports).
public enum TrainingStateError: Error, CustomStringConvertible, Equatable {
    /// A value the state needs is absent.
    case missingValue(key: String, source: String?)
    /// A value is present but not acceptable: `expected` says what would be.
    case invalidValue(key: String, value: Double, expected: String, source: String?)

    /// One sentence naming the source, the key and what was wrong.
    public var description: String {
        switch self {
        case let .missingValue(key, source):
            return "\(Self.place(source))missing value \"\(key)\""
        case let .invalidValue(key, value, expected, source):
            return "\(Self.place(source))\"\(key)\" is \(value), expected \(expected)"
        }
    }

    private static func place(_ source: String?) -> String {
        source.map { "\($0): " } ?? "training state: "
    }

    /// `value` as a count, or an error when it is not a whole number of at least `minimum`.
    static func count(_ value: Double, key: String, minimum: Int, source: String?) throws -> Int {
        guard value.isFinite, value == value.rounded(), value >= Double(minimum), value < 0x1p53 else {
            throw invalidValue(key: key, value: value, expected: "a whole number of at least \(minimum)", source: source)
        }
        return Int(value)
    }
}
