import Foundation
import FERTensor

/// Draws one synthetic face whose expression shows in the mouth, brows and
/// eyes, with random identity (face shape, skin and hair colour), pose
/// (rotation, scale, shift), lighting, expression intensity and noise.
///
/// Shapes are signed-distance fields with anti-aliased edges; coordinates are
/// in face units, x to the right and y down, the face centred at the origin.
struct FaceRenderer {
    /// How strongly a face shows its expression, blended from neutral.
    struct Features {
        var eyeOpenness: Float
        var browRaise: Float
        var browInnerRaise: Float
        var mouthWidth: Float
        var mouthCurve: Float
        var mouthOpen: Float
        var mouthTilt: Float

        static let neutral = Features(eyeOpenness: 1, browRaise: 0, browInnerRaise: 0, mouthWidth: 0.2, mouthCurve: 0, mouthOpen: 0, mouthTilt: 0)

        static func of(_ expression: Expression) -> Features {
            switch expression {
            case .surprise: Features(eyeOpenness: 1.6, browRaise: 0.09, browInnerRaise: 0, mouthWidth: 0.13, mouthCurve: 0, mouthOpen: 0.17, mouthTilt: 0)
            case .fear: Features(eyeOpenness: 1.45, browRaise: 0.05, browInnerRaise: 0.06, mouthWidth: 0.24, mouthCurve: -0.03, mouthOpen: 0.07, mouthTilt: 0)
            case .disgust: Features(eyeOpenness: 0.55, browRaise: -0.03, browInnerRaise: -0.03, mouthWidth: 0.17, mouthCurve: -0.05, mouthOpen: 0.02, mouthTilt: 0.05)
            case .happiness: Features(eyeOpenness: 0.65, browRaise: 0.02, browInnerRaise: 0, mouthWidth: 0.27, mouthCurve: 0.11, mouthOpen: 0.05, mouthTilt: 0)
            case .sadness: Features(eyeOpenness: 0.8, browRaise: 0, browInnerRaise: 0.07, mouthWidth: 0.19, mouthCurve: -0.09, mouthOpen: 0, mouthTilt: 0)
            case .anger: Features(eyeOpenness: 0.7, browRaise: -0.04, browInnerRaise: -0.08, mouthWidth: 0.17, mouthCurve: -0.03, mouthOpen: 0, mouthTilt: 0)
            case .neutral: .neutral
            }
        }

        /// Neutral blended toward `target` by `amount`, each feature jittered by `jitter`.
        static func blend(_ target: Features, amount: Float, jitter: (Float) -> Float) -> Features {
            func mix(_ path: KeyPath<Features, Float>, _ spread: Float) -> Float {
                neutral[keyPath: path] + amount * (target[keyPath: path] - neutral[keyPath: path]) + jitter(spread)
            }
            return Features(eyeOpenness: mix(\.eyeOpenness, 0.12), browRaise: mix(\.browRaise, 0.012),
                            browInnerRaise: mix(\.browInnerRaise, 0.012), mouthWidth: mix(\.mouthWidth, 0.02),
                            mouthCurve: mix(\.mouthCurve, 0.015), mouthOpen: max(0, mix(\.mouthOpen, 0.01)),
                            mouthTilt: mix(\.mouthTilt, 0.01))
        }
    }

    let size: Int

    /// A face of `expression`, all random choices from `generator`.
    func render(_ expression: Expression, using generator: inout RandomGenerator) -> Image {
        func uniform(_ range: ClosedRange<Float>) -> Float { range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUniform() }
        var jitterGenerator = generator.split()
        let features = Features.blend(.of(expression), amount: uniform(0.3...1.1)) { spread in
            spread * (2 * jitterGenerator.nextUniform() - 1)
        }
        let angle = uniform(-0.22...0.22), scale = uniform(0.82...1.08)
        let shift = (uniform(-0.09...0.09), uniform(-0.09...0.09))
        let faceSize = (uniform(0.52...0.66), uniform(0.7...0.84))
        let skin = Self.skinTones[Int(generator.next() % UInt64(Self.skinTones.count))] * uniform(0.85...1.1)
        let hair = Color(uniform(0.05...0.5), uniform(0.03...0.35), uniform(0.02...0.25))
        let background = Color(uniform(0.1...0.9), uniform(0.1...0.9), uniform(0.1...0.9)), backgroundTilt = uniform(-0.3...0.3)
        let eyeWhite = Color(0.95, 0.95, 0.93), iris = Color(0.15, 0.1, 0.08), mouthInside = Color(0.12, 0.03, 0.03)
        let lipColor = skin * Color(0.55, 0.25, 0.25)
        let light = (direction: uniform(0...(2 * .pi)), strength: uniform(0...0.35), level: uniform(0.7...1.15))
        let noise = uniform(0.01...0.06)
        let pixel = 2 / Float(size) / scale
        let cosine = cos(angle), sine = sin(angle)

        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for row in 0..<size {
            for column in 0..<size {
                let u = (Float(column) + 0.5) / Float(size) * 2 - 1, v = (Float(row) + 0.5) / Float(size) * 2 - 1
                let (du, dv) = ((u - shift.0) / scale, (v - shift.1) / scale)
                let x = cosine * du + sine * dv, y = -sine * du + cosine * dv
                var color = background * (1 + backgroundTilt * v)
                func paint(_ distance: Float, _ paint: Color) {
                    let coverage = min(max(0.5 - distance / pixel, 0), 1)
                    if coverage > 0 { color += coverage * (paint - color) }
                }
                // Hair behind the head, then the face with soft shading toward its rim.
                paint(Self.ellipse(x, y + 0.2, faceSize.0 * 1.12, faceSize.1 * 0.95), hair)
                let face = Self.ellipse(x, y, faceSize.0, faceSize.1)
                let rim = 1 - 0.25 * min(max((x * x) / (faceSize.0 * faceSize.0) + (y * y) / (faceSize.1 * faceSize.1), 0), 1)
                paint(face, skin * rim)
                // Eyes: white, iris, then an upper lid closing them as openness falls.
                for side: Float in [-1, 1] {
                    let eyeX = x - side * 0.23, eyeY = y + 0.1
                    let eyeHeight = 0.055 * features.eyeOpenness
                    paint(Self.ellipse(eyeX, eyeY, 0.1, eyeHeight), eyeWhite)
                    paint(max(Self.circle(eyeX, eyeY, 0.045), Self.ellipse(eyeX, eyeY, 0.1, eyeHeight)), iris)
                    // Brows: a thick segment whose inner end rises or falls.
                    let browY = -0.26 - features.browRaise
                    let inner = (side * 0.1, browY - features.browInnerRaise), outer = (side * 0.36, browY + features.browInnerRaise * 0.3)
                    paint(Self.segment(x, y, inner, outer) - 0.022, hair * 0.8)
                }
                // Nose: a short shaded stroke.
                paint(Self.segment(x, y, (0, 0.05), (0.02, 0.22)) - 0.012, skin * 0.8)
                // Mouth: a curved line (corners up when curve > 0), opened into a dark region.
                let mouthX = x / max(features.mouthWidth, 0.05)
                if abs(mouthX) <= 1.15 {
                    let center = 0.45 - features.mouthCurve * mouthX * mouthX + features.mouthTilt * mouthX
                    let opening = features.mouthOpen * max(0, 1 - mouthX * mouthX)
                    let lips = max(abs(y - center - opening / 2) - opening / 2 - 0.018, (abs(mouthX) - 1) * features.mouthWidth)
                    paint(lips, lipColor)
                    if opening > 0.01 {
                        paint(max(abs(y - center - opening / 2) - opening / 2, (abs(mouthX) - 0.95) * features.mouthWidth), mouthInside)
                    }
                }
                let shade = light.level * (1 + light.strength * (u * cos(light.direction) + v * sin(light.direction)))
                for c in 0..<3 {
                    let value = color[c] * shade + noise * generator.nextNormal()
                    pixels[(row * size + column) * 3 + c] = UInt8(min(max(value, 0), 1) * 255 + 0.5)
                }
            }
        }
        return Image(width: size, height: size, channels: 3, pixels: pixels)
    }

    /// Linear RGB in [0, 1].
    typealias Color = SIMD3<Float>

    static let skinTones: [Color] = [
        Color(0.98, 0.85, 0.75), Color(0.93, 0.76, 0.62), Color(0.82, 0.62, 0.47),
        Color(0.67, 0.47, 0.33), Color(0.48, 0.33, 0.23), Color(0.36, 0.25, 0.18),
    ]

    /// Approximate signed distance to an axis-aligned ellipse centred at the origin.
    static func ellipse(_ x: Float, _ y: Float, _ a: Float, _ b: Float) -> Float {
        ((x / a) * (x / a) + (y / b) * (y / b)).squareRoot() * min(a, b) - min(a, b)
    }

    static func circle(_ x: Float, _ y: Float, _ radius: Float) -> Float { (x * x + y * y).squareRoot() - radius }

    /// Distance from (x, y) to the segment from `a` to `b`.
    static func segment(_ x: Float, _ y: Float, _ a: (Float, Float), _ b: (Float, Float)) -> Float {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1)
        let t = min(max(((x - a.0) * dx + (y - a.1) * dy) / (dx * dx + dy * dy), 0), 1)
        let (px, py) = (x - a.0 - t * dx, y - a.1 - t * dy)
        return (px * px + py * py).squareRoot()
    }
}
