#include "agora_vips.h"

#include <dlfcn.h>
#include <stddef.h>

// The few libvips entry points Agora calls, with their C types spelled out here so that nothing
// needs vips's (and GLib's) headers or links against them. Values of libvips enums as in
// <vips/conversion.h> and <vips/resample.h> (stable across libvips 8).
typedef struct _VipsImage VipsImage;
enum { AGORA_VIPS_INTERESTING_CENTRE = 1, AGORA_VIPS_SIZE_DOWN = 2, AGORA_TRUE = 1 };

static struct {
    int (*init)(const char *argv0);
    void (*concurrency_set)(int concurrency);
    void (*cache_set_max)(int max);
    int (*thumbnail)(const char *filename, VipsImage **out, int width, ...);
    int (*write_to_file)(VipsImage *image, const char *name, ...);
    VipsImage *(*new_from_file)(const char *name, ...);
    int (*get_width)(const VipsImage *image);
    int (*get_height)(const VipsImage *image);
    unsigned long (*type_find)(const char *basename, const char *nickname);
    const char *(*error_buffer)(void);
    void (*error_clear)(void);
    void (*object_unref)(void *object);
} vips;

static const char *load_error = "libvips is not loaded";

int agora_vips_start(void) {
    // Debian 12 ships libvips 8.14 as libvips.so.42; the unversioned name comes with -dev packages.
    void *library = dlopen("libvips.so.42", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) library = dlopen("libvips.so", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        load_error = "libvips (libvips42) is not installed";
        return -1;
    }
#define FIND(field, name) \
    if ((*(void **)&vips.field = dlsym(library, name)) == NULL) { load_error = "libvips lacks " name; return -1; }
    FIND(init, "vips_init")
    FIND(concurrency_set, "vips_concurrency_set")
    FIND(cache_set_max, "vips_cache_set_max")
    FIND(thumbnail, "vips_thumbnail")
    FIND(write_to_file, "vips_image_write_to_file")
    FIND(new_from_file, "vips_image_new_from_file")
    FIND(get_width, "vips_image_get_width")
    FIND(get_height, "vips_image_get_height")
    FIND(type_find, "vips_type_find")
    FIND(error_buffer, "vips_error_buffer")
    FIND(error_clear, "vips_error_clear")
    FIND(object_unref, "g_object_unref")
#undef FIND
    if (vips.init("agora") != 0) {
        load_error = "libvips could not start";
        vips.error_buffer = NULL;
        return -1;
    }
    vips.concurrency_set(1);
    vips.cache_set_max(0);
    return 0;
}

int agora_vips_thumbnail(const char *path, const char *output, int width, int height) {
    VipsImage *image = NULL;
    if (vips.thumbnail(path, &image, width, "height", height, "crop", AGORA_VIPS_INTERESTING_CENTRE, NULL) != 0) {
        return -1;
    }
    int status = vips.write_to_file(image, output, "strip", AGORA_TRUE, NULL);
    vips.object_unref(image);
    return status;
}

int agora_vips_resize(const char *path, const char *output, int width) {
    VipsImage *image = NULL;
    if (vips.thumbnail(path, &image, width, "height", 100000, "size", AGORA_VIPS_SIZE_DOWN, NULL) != 0) {
        return -1;
    }
    int status = vips.write_to_file(image, output, "strip", AGORA_TRUE, NULL);
    vips.object_unref(image);
    return status;
}

int agora_vips_size(const char *path, int *width, int *height) {
    VipsImage *image = vips.new_from_file(path, NULL);
    if (image == NULL) {
        return -1;
    }
    *width = vips.get_width(image);
    *height = vips.get_height(image);
    vips.object_unref(image);
    return 0;
}

int agora_vips_can_save_webp(void) {
    return vips.type_find("VipsOperation", "webpsave") != 0;
}

const char *agora_vips_error(void) {
    return vips.error_buffer != NULL ? vips.error_buffer() : load_error;
}

void agora_vips_error_clear(void) {
    if (vips.error_clear != NULL) vips.error_clear();
}
