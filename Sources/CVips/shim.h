#include <vips/vips.h>

// libvips takes optional arguments as C varargs, which Swift cannot call; these fixed-argument
// wrappers are compiled by the importer.

/// Shrinks and centre-crops `path` to exactly width×height and saves it to `output` (format from
/// its extension), without metadata. Returns 0 on success; the reason is in vips_error_buffer().
static inline int agora_vips_thumbnail(const char *path, const char *output, int width, int height) {
    VipsImage *image = NULL;
    if (vips_thumbnail(path, &image, width, "height", height, "crop", VIPS_INTERESTING_CENTRE, NULL) != 0) {
        return -1;
    }
    int status = vips_image_write_to_file(image, output, "strip", TRUE, NULL);
    g_object_unref(image);
    return status;
}

/// The pixel size of the image at `path`, from its header. Returns 0 on success.
static inline int agora_vips_size(const char *path, int *width, int *height) {
    VipsImage *image = vips_image_new_from_file(path, NULL);
    if (image == NULL) {
        return -1;
    }
    *width = vips_image_get_width(image);
    *height = vips_image_get_height(image);
    g_object_unref(image);
    return 0;
}

/// Shrinks `path` to at most `width` pixels wide, keeping its proportions (never enlarging), and
/// saves it to `output` (format from its extension) without metadata. Returns 0 on success.
static inline int agora_vips_resize(const char *path, const char *output, int width) {
    VipsImage *image = NULL;
    if (vips_thumbnail(path, &image, width, "height", 100000, "size", VIPS_SIZE_DOWN, NULL) != 0) {
        return -1;
    }
    int status = vips_image_write_to_file(image, output, "strip", TRUE, NULL);
    g_object_unref(image);
    return status;
}

/// Whether this libvips can write WebP.
static inline int agora_vips_can_save_webp(void) {
    return vips_type_find("VipsOperation", "webpsave") != 0;
}
