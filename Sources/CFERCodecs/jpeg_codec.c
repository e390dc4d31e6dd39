// JPEG decoding and encoding with libjpeg-turbo; every libjpeg error unwinds
// here through setjmp/longjmp instead of ending the process.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>
#include "fer_codecs.h"

/// libjpeg's error manager extended with a jump target and the caller's message buffer.
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t message_size;
} error_context;

static void record_message(j_common_ptr info) {
    error_context *context = (error_context *)info->err;
    char text[JMSG_LENGTH_MAX];
    (*info->err->format_message)(info, text);
    if (context->message_size > 0) snprintf(context->message, context->message_size, "%s", text);
}

static void fail(j_common_ptr info) {
    record_message(info);
    longjmp(((error_context *)info->err)->jump, 1);
}

/// Warnings that mean pixels were lost (truncated or damaged entropy data)
/// are errors; the rest (e.g. extraneous bytes before a marker) are ignored.
static void emit_message(j_common_ptr info, int level) {
    if (level != -1) return;
    switch (info->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_MUST_RESYNC:
        fail(info);
    default:
        break;
    }
}

static void install_errors(error_context *context, char *message, size_t message_size) {
    jpeg_std_error(&context->base);
    context->base.error_exit = fail;
    context->base.emit_message = emit_message;
    context->message = message;
    context->message_size = message_size;
    if (message_size > 0) message[0] = 0;
}

fer_codec_status fer_jpeg_decode(const unsigned char *data, size_t size, long max_pixels,
                                 fer_decoded_image *image, char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    error_context context;
    unsigned char *volatile pixels = NULL;
    install_errors(&context, message, message_size);
    info.err = &context.base;
    if (setjmp(context.jump)) {
        jpeg_destroy_decompress(&info);
        free(pixels);
        return FER_CODEC_CORRUPT;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        snprintf(message, message_size, "CMYK JPEG images are not supported; convert to RGB first");
        jpeg_destroy_decompress(&info);
        return FER_CODEC_UNSUPPORTED;
    }
    const long width = (long)info.image_width, height = (long)info.image_height;
    if (width * height > max_pixels) {
        snprintf(message, message_size, "%ldx%ld pixels exceed the limit of %ld", width, height, max_pixels);
        jpeg_destroy_decompress(&info);
        return FER_CODEC_TOO_LARGE;
    }
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&info);
    const long channels = info.output_components;
    pixels = malloc((size_t)(width * height * channels));
    if (!pixels) {
        snprintf(message, message_size, "cannot allocate %ldx%ldx%ld pixels", width, height, channels);
        jpeg_destroy_decompress(&info);
        return FER_CODEC_NO_MEMORY;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + (size_t)info.output_scanline * (size_t)(width * channels);
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    image->pixels = pixels;
    image->width = width;
    image->height = height;
    image->channels = channels;
    return FER_CODEC_OK;
}

fer_codec_status fer_jpeg_encode(const unsigned char *pixels, long width, long height, long channels,
                                 int quality, unsigned char **output, size_t *output_size,
                                 char *message, size_t message_size) {
    struct jpeg_compress_struct info;
    error_context context;
    unsigned char *buffer = NULL;
    unsigned long buffer_size = 0;
    install_errors(&context, message, message_size);
    info.err = &context.base;
    if (setjmp(context.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        return FER_CODEC_CORRUPT;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &buffer_size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = (int)channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * (size_t)(width * channels));
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *output = buffer;
    *output_size = buffer_size;
    return FER_CODEC_OK;
}

void fer_codec_free(void *memory) { free(memory); }
