import CJPEG
import CPNG

/// Versions of the image codec libraries FERData decodes with.
public enum ImageLibraries {
    /// libjpeg API version FERData was compiled against (e.g. 62 for libjpeg-turbo's v6b API).
    public static var jpegAPIVersion: Int { Int(JPEG_LIB_VERSION) }

    /// libpng version of the library loaded at run time (e.g. "1.6.39").
    public static var pngVersion: String { String(cString: png_get_libpng_ver(nil)) }
}
