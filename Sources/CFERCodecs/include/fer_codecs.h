// JPEG and PNG through libjpeg-turbo and libpng, with their error paths
// (libjpeg's exit(), libpng's longjmp) turned into return codes and messages.
#ifndef FER_CODECS_H
#define FER_CODECS_H

#include <stddef.h>

/// Outcome of a codec call.
typedef enum {
    FER_CODEC_OK = 0,
    /// The data is not a valid image of the format (corrupt or truncated).
    FER_CODEC_CORRUPT = 1,
    /// A valid image of a kind FERKit does not read (e.g. CMYK JPEG).
    FER_CODEC_UNSUPPORTED = 2,
    /// More pixels than the caller's limit; nothing was allocated for them.
    FER_CODEC_TOO_LARGE = 3,
    FER_CODEC_NO_MEMORY = 4,
} fer_codec_status;

/// Decoded 8-bit pixels: rows top to bottom, channels interleaved
/// (1 = grayscale, 3 = RGB). `pixels` is released with fer_codec_free.
typedef struct {
    unsigned char *pixels;
    long width;
    long height;
    long channels;
} fer_decoded_image;

/// Decodes a baseline or progressive JPEG (grayscale or colour; CMYK/YCCK is
/// FER_CODEC_UNSUPPORTED). Truncated or corrupt entropy data is an error, not
/// gray fill. On failure `message` holds a NUL-terminated reason.
fer_codec_status fer_jpeg_decode(const unsigned char *data, size_t size, long max_pixels,
                                 fer_decoded_image *image, char *message, size_t message_size);

/// Encodes 1- or 3-channel pixels as a baseline JPEG of `quality` (1...100).
fer_codec_status fer_jpeg_encode(const unsigned char *pixels, long width, long height, long channels,
                                 int quality, unsigned char **output, size_t *output_size,
                                 char *message, size_t message_size);

/// Decodes a PNG of any bit depth and colour type: palettes are expanded,
/// 16-bit samples scaled to 8 bits, alpha dropped; the result is grayscale
/// or RGB.
fer_codec_status fer_png_decode(const unsigned char *data, size_t size, long max_pixels,
                                fer_decoded_image *image, char *message, size_t message_size);

/// Encodes 1- or 3-channel 8-bit pixels as a PNG.
fer_codec_status fer_png_encode(const unsigned char *pixels, long width, long height, long channels,
                                unsigned char **output, size_t *output_size,
                                char *message, size_t message_size);

/// Releases memory returned by the functions above.
void fer_codec_free(void *memory);

#endif
