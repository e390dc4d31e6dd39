/// Why a dataset could not be read. Every case names the file (and line,
/// where there is one) at fault.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    /// A required file or directory is missing.
    case missing(path: String, what: String)
    /// A line that does not parse.
    case malformedLine(file: String, line: Int, reason: String)
    /// A label outside the source's label set.
    case unknownLabel(file: String, line: Int, label: String)
    /// An image listed by `file` at `line` does not exist.
    case missingImage(file: String, line: Int, image: String)
    /// A split without any sample.
    case emptySplit(source: String, split: String)
    /// A class folder without a mapping to a class.
    case unmappedFolder(path: String, known: [String])
    /// A sample whose transformed image differs in shape from the rest of its batch.
    case inconsistentShape(sample: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .missing(path, what): "\(path): \(what) not found"
        case let .malformedLine(file, line, reason): "\(file):\(line): malformed line (\(reason))"
        case let .unknownLabel(file, line, label): "\(file):\(line): unknown label \"\(label)\""
        case let .missingImage(file, line, image): "\(file):\(line): image \(image) does not exist"
        case let .emptySplit(source, split): "\(source): the \(split) split has no samples"
        case let .unmappedFolder(path, known): "\(path): folder has no class mapping (mapped: \(known.joined(separator: ", ")))"
        case let .inconsistentShape(sample, expected, found):
            "sample \(sample): transformed image has shape \(found), the batch has \(expected) (add a Resize)"
        }
    }
}
