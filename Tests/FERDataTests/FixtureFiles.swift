import Foundation

/// Committed fixture files and scratch directories for FERData tests.
enum FixtureFiles {
    /// The committed fixture named `name` (see generate_image_fixtures.py).
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name)
    }

    /// A fresh empty directory, removed by the caller through `defer`.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferdata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
