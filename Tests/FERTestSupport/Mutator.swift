import FERTensor

/// Seeded mutations of valid inputs, for fuzz tests of parsers: each case
/// applies one to four edits (bit flips, bytes set to boundary values, runs
/// of random or structural characters inserted, ranges deleted or
/// duplicated, truncation, 32-bit fields overwritten with extreme values).
/// The same seed gives the same cases, so a failure reproduces.
public struct Mutator {
    private var generator: RandomGenerator
    /// Bytes that parsers treat specially: separators, quotes, signs, digits, braces, boundary values.
    private static let interesting: [UInt8] = Array(",;\"'\n\r\t -+.e0123456789{}[]:".utf8) + [0x00, 0x7F, 0x80, 0xFF, 0xFE]

    /// A mutator whose cases are fixed by `seed`.
    public init(seed: UInt64) {
        generator = RandomGenerator(seed: seed)
    }

    private mutating func below(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(generator.next() % UInt64(bound))
    }

    /// A mutated copy of `input`.
    public mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) {
            let position = below(bytes.count)
            switch below(8) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= UInt8(1) << UInt8(below(8))
            case 1 where !bytes.isEmpty:
                bytes[position] = Self.interesting[below(Self.interesting.count)]
            case 2:
                let run = (0..<(1 + below(8))).map { _ in Self.interesting[below(Self.interesting.count)] }
                bytes.insert(contentsOf: run, at: position)
            case 3:
                let run = (0..<(1 + below(16))).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                bytes.insert(contentsOf: run, at: position)
            case 4 where !bytes.isEmpty:
                bytes.removeSubrange(position..<Swift.min(bytes.count, position + 1 + below(64)))
            case 5 where !bytes.isEmpty:
                let slice = bytes[position..<Swift.min(bytes.count, position + 1 + below(64))]
                bytes.insert(contentsOf: Array(slice), at: below(bytes.count))
            case 6:
                bytes = Array(bytes.prefix(below(bytes.count + 1)))
            default:
                let extreme: [UInt32] = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF]
                let value = extreme[below(extreme.count)]
                for offset in 0..<4 where position + offset < bytes.count {
                    bytes[position + offset] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(offset)))
                }
            }
        }
        return bytes
    }
}
