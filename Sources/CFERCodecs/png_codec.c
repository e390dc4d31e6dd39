// PNG decoding and encoding with libpng; libpng's errors longjmp back here.
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fer_codecs.h"

/// Where libpng reads from or writes to, and where its error text goes.
typedef struct {
    const unsigned char *input;
    size_t input_size;
    size_t offset;
    unsigned char *output;
    size_t output_size;
    size_t output_capacity;
    int out_of_memory;
    char *message;
    size_t message_size;
} stream;

static void on_error(png_structp png, png_const_charp text) {
    stream *io = png_get_error_ptr(png);
    if (io->message_size > 0) snprintf(io->message, io->message_size, "%s", text);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void read_bytes(png_structp png, png_bytep destination, png_size_t count) {
    stream *io = png_get_io_ptr(png);
    if (count > io->input_size - io->offset) png_error(png, "truncated PNG data");
    memcpy(destination, io->input + io->offset, count);
    io->offset += count;
}

static void write_bytes(png_structp png, png_bytep source, png_size_t count) {
    stream *io = png_get_io_ptr(png);
    if (io->output_size + count > io->output_capacity) {
        size_t capacity = io->output_capacity ? io->output_capacity : 4096;
        while (capacity < io->output_size + count) capacity *= 2;
        unsigned char *grown = realloc(io->output, capacity);
        if (!grown) {
            io->out_of_memory = 1;
            png_error(png, "out of memory while encoding PNG");
        }
        io->output = grown;
        io->output_capacity = capacity;
    }
    memcpy(io->output + io->output_size, source, count);
    io->output_size += count;
}

static void flush_nothing(png_structp png) { (void)png; }

fer_codec_status fer_png_decode(const unsigned char *data, size_t size, long max_pixels,
                                fer_decoded_image *image, char *message, size_t message_size) {
    if (message_size > 0) message[0] = 0;
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(message, message_size, "not a PNG file (bad signature)");
        return FER_CODEC_CORRUPT;
    }
    stream io = {.input = data, .input_size = size, .message = message, .message_size = message_size};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(&png, &info, NULL);
        snprintf(message, message_size, "cannot allocate a PNG reader");
        return FER_CODEC_NO_MEMORY;
    }
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    volatile fer_codec_status failure = FER_CODEC_CORRUPT;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        return failure;
    }
    png_set_read_fn(png, &io, read_bytes);
    png_read_info(png, info);
    const long width = (long)png_get_image_width(png, info), height = (long)png_get_image_height(png, info);
    if (width * height > max_pixels) {
        snprintf(message, message_size, "%ldx%ld pixels exceed the limit of %ld", width, height, max_pixels);
        png_destroy_read_struct(&png, &info, NULL);
        return FER_CODEC_TOO_LARGE;
    }
    png_set_expand(png);
    png_set_scale_16(png);
    png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const long channels = png_get_channels(png, info);
    if ((channels != 1 && channels != 3) || (long)png_get_rowbytes(png, info) != width * channels) {
        snprintf(message, message_size, "unexpected PNG layout after conversion (%ld channels)", channels);
        failure = FER_CODEC_UNSUPPORTED;
        png_longjmp(png, 1);
    }
    pixels = malloc((size_t)(width * height * channels));
    rows = malloc(sizeof(png_bytep) * (size_t)height);
    if (!pixels || !rows) {
        snprintf(message, message_size, "cannot allocate %ldx%ldx%ld pixels", width, height, channels);
        failure = FER_CODEC_NO_MEMORY;
        png_longjmp(png, 1);
    }
    for (long y = 0; y < height; ++y) rows[y] = pixels + (size_t)(y * width * channels);
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    image->pixels = pixels;
    image->width = width;
    image->height = height;
    image->channels = channels;
    return FER_CODEC_OK;
}

fer_codec_status fer_png_encode(const unsigned char *pixels, long width, long height, long channels,
                                unsigned char **output, size_t *output_size,
                                char *message, size_t message_size) {
    if (message_size > 0) message[0] = 0;
    stream io = {.message = message, .message_size = message_size};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &io, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        snprintf(message, message_size, "cannot allocate a PNG writer");
        return FER_CODEC_NO_MEMORY;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        free(io.output);
        return io.out_of_memory ? FER_CODEC_NO_MEMORY : FER_CODEC_CORRUPT;
    }
    png_set_write_fn(png, &io, write_bytes, flush_nothing);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    rows = malloc(sizeof(png_bytep) * (size_t)height);
    if (!rows) {
        io.out_of_memory = 1;
        png_error(png, "out of memory while encoding PNG");
    }
    for (long y = 0; y < height; ++y) rows[y] = (png_bytep)(pixels + (size_t)(y * width * channels));
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    *output = io.output;
    *output_size = io.output_size;
    return FER_CODEC_OK;
}
