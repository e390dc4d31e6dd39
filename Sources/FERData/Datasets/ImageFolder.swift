import Foundation

/// A folder-per-class tree, as torchvision's `ImageFolder` reads it:
///
///     ROOT/train/happy/0001.jpg
///     ROOT/train/sad/0002.png
///     ROOT/test/happy/...
///
/// Class folders map to classes through an explicit table, never through
/// the alphabetical order of their names: a folder without a mapping is an
/// error. JPEG and PNG files anywhere below a class folder are samples, in
/// sorted path order; other files and hidden entries are skipped.
public struct ImageFolder: Sendable {
    /// The directory holding the split folders (or the class folders, for `load()`).
    public var root: URL
    /// Class names, indexed by the labels this source produces.
    public var classNames: [String]
    /// Folder name to class index.
    public var folderClasses: [String: Int]
    /// Whether folders named after an expression (or its synonym, see
    /// `Expression.init(name:)`) map to it without an entry in `folderClasses`.
    public var acceptsExpressionNames: Bool

    /// A tree whose class folders map through `folderClasses` into `classNames`.
    public init(root: URL, classNames: [String], folderClasses: [String: Int]) {
        self.root = root
        self.classNames = classNames
        self.folderClasses = folderClasses
        self.acceptsExpressionNames = false
    }

    /// A tree of the seven canonical expressions: folders named after an
    /// expression ("happy", "Happiness", "angry", ...) map to it; `folders`
    /// adds other names (e.g. AffectNet's "3" for happiness).
    public init(expressionsAt root: URL, folders: [String: Expression] = [:]) {
        self.root = root
        self.classNames = Expression.names
        self.folderClasses = folders.mapValues(\.rawValue)
        self.acceptsExpressionNames = true
    }

    /// File extensions read as images (compared case-insensitively).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Folder names accepted for each split, compared case-insensitively.
    public static let splitFolderNames: [DatasetSplit: [String]] = [
        .train: ["train", "training"],
        .validation: ["val", "validation", "valid", "publictest"],
        .test: ["test", "testing", "privatetest"],
    ]

    /// The samples of `split`, read from its folder under `root`
    /// (`train`, `val`, `test` or a synonym in `splitFolderNames`).
    public func load(_ split: DatasetSplit) throws -> FERDataset {
        let names = Self.splitFolderNames[split] ?? []
        let folder = try subdirectories(of: root).first { names.contains($0.lastPathComponent.lowercased()) }
        guard let folder else {
            throw DatasetError.missing(path: root.path, what: "\(split) folder (one of \(names.joined(separator: ", ")))")
        }
        return try load(classFoldersIn: folder, name: "\(root.lastPathComponent) (\(split))")
    }

    /// The samples of a tree whose class folders sit directly in `root`.
    public func load() throws -> FERDataset {
        try load(classFoldersIn: root, name: root.lastPathComponent)
    }

    /// The class that folder `name` maps to, if any.
    public func classIndex(ofFolder name: String) -> Int? {
        if let index = folderClasses[name] { return index }
        return acceptsExpressionNames ? Expression(name: name)?.rawValue : nil
    }

    private func load(classFoldersIn directory: URL, name: String) throws -> FERDataset {
        var samples: [Sample] = []
        for folder in try subdirectories(of: directory) {
            let folderName = folder.lastPathComponent
            guard let label = classIndex(ofFolder: folderName), classNames.indices.contains(label) else {
                let known = Set(folderClasses.keys).union(acceptsExpressionNames ? Expression.names : [])
                throw DatasetError.unmappedFolder(path: folder.path, known: known.sorted())
            }
            let depth = folder.standardizedFileURL.pathComponents.count - 1
            for file in try imageFiles(below: folder) {
                let id = file.pathComponents.dropFirst(depth).joined(separator: "/")
                samples.append(Sample(id: id, source: .file(file), label: label))
            }
        }
        guard !samples.isEmpty else { throw DatasetError.emptySplit(source: directory.path, split: name) }
        return FERDataset(name: name, classNames: classNames, samples: samples)
    }

    /// The visible subdirectories of `directory`, sorted by name.
    private func subdirectories(of directory: URL) throws -> [URL] {
        let entries: [URL]
        do {
            entries = try FileManager.default.contentsOfDirectory(
                at: directory, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
        } catch {
            throw DatasetError.missing(path: directory.path, what: "directory")
        }
        return entries
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// JPEG and PNG files at any depth below `folder`, sorted by path.
    private func imageFiles(below folder: URL) throws -> [URL] {
        guard let walker = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { throw DatasetError.missing(path: folder.path, what: "directory") }
        var files: [URL] = []
        for case let url as URL in walker
        where Self.imageExtensions.contains(url.pathExtension.lowercased())
            && (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(url.standardizedFileURL)
        }
        return files.sorted { $0.path < $1.path }
    }
}
