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
