import FERData
import FERTensor
import Foundation

/// Writes a PNG grid of misclassified images, each with a bar coloured by
/// its true class on top and by the predicted class below, so that a glance
/// shows which confusions dominate. Images are shown at 64x64, 8 per row.
func writeContactSheet(_ entries: [(sample: Sample, label: Int, prediction: Int)], classNames: [String], to url: URL) throws {
    let side = 64, bar = 6, cell = side + 2 * bar + 4, columns = 8
    let rows = Swift.max(1, (entries.count + columns - 1) / columns)
    var sheet = Tensor(shape: [3, rows * cell, columns * cell], repeating: 1)
    let palette: [(name: String, rgb: SIMD3<Float>)] = [  // Okabe and Ito's colour-blind-safe colours
        ("orange", [0.90, 0.62, 0.00]), ("sky blue", [0.34, 0.71, 0.91]), ("green", [0.00, 0.62, 0.45]),
        ("yellow", [0.94, 0.89, 0.26]), ("blue", [0.00, 0.45, 0.70]), ("vermillion", [0.84, 0.37, 0.00]),
        ("pink", [0.80, 0.47, 0.65]), ("grey", [0.5, 0.5, 0.5]),
    ]
    var generator = RandomGenerator(seed: 0)
    for (index, entry) in entries.enumerated() {
        let image = Resize(height: side, width: side).apply(
            try entry.sample.image().converted(toChannels: 3).tensor(), using: &generator)
        let top = (index / columns) * cell + 2, left = (index % columns) * cell + 2
        image.withUnsafeBufferPointer { source in
            sheet.withUnsafeMutableBufferPointer { target in
                for channel in 0..<3 {
                    func paint(_ row: Int, _ column: Int, _ value: Float) {
                        target[(channel * rows * cell + row) * columns * cell + column] = value
                    }
                    for column in 0..<side {
                        for offset in 0..<bar {
                            paint(top + offset, left + column, palette[entry.label % palette.count].rgb[channel])
                            paint(top + bar + side + offset, left + column, palette[entry.prediction % palette.count].rgb[channel])
                        }
                    }
                    for row in 0..<side {
                        for column in 0..<side {
                            paint(top + bar + row, left + column, source[(channel * side + row) * side + column])
                        }
                    }
                }
            }
        }
    }
    try Image(sheet).write(to: url)
    let legend = classNames.enumerated().map { "\($0.element) \(palette[$0.offset % palette.count].name)" }.joined(separator: ", ")
    log("wrote \(url.path): \(entries.count) misclassified images (top bar: true class, bottom bar: prediction; \(legend))")
}
