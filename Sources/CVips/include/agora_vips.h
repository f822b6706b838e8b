#ifndef AGORA_VIPS_H
#define AGORA_VIPS_H

// libvips, loaded with dlopen on first use rather than linked: it pulls in about a hundred shared
// libraries (cairo, pango, HDF5, curl, …) whose symbol binding was most of the start-up time of
// every `agora` command, and only a build that makes new thumbnails needs it.

/// Loads libvips and starts it (one operation thread, no operation cache). Returns 0 on success;
/// otherwise `agora_vips_error()` says why. Call once, before anything else here.
int agora_vips_start(void);

/// Shrinks and centre-crops `path` to exactly width×height and saves it to `output` (format from
/// its extension), without metadata. Returns 0 on success; the reason is in agora_vips_error().
int agora_vips_thumbnail(const char *path, const char *output, int width, int height);

/// Shrinks `path` to at most `width` pixels wide, keeping its proportions (never enlarging), and
/// saves it to `output` (format from its extension) without metadata. Returns 0 on success.
int agora_vips_resize(const char *path, const char *output, int width);

/// The pixel size of the image at `path`, from its header. Returns 0 on success.
int agora_vips_size(const char *path, int *width, int *height);

/// Whether this libvips can write WebP.
int agora_vips_can_save_webp(void);

/// libvips's error buffer (or why it could not be loaded).
const char *agora_vips_error(void);

/// Empties libvips's error buffer.
void agora_vips_error_clear(void);

#endif
