#pragma once
// Mapping stored pixel values to 8-bit display values (window/level), Qt- and VTK-free,
// so the CLI's previews and the viewers agree on what an image "looks like" by default.

#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"

namespace meridian::core {

/// The window a viewer opens an image with: the file's own (DICOM VOI) when present,
/// 0..255 for 8-bit photos, otherwise the 0.5th..99.5th percentile of the values.
WindowLevel defaultWindow(const Image2D& image);

/// The 0.5th..99.5th percentile of every component (a strided sample of at most ~65k values):
/// robust to a few hot pixels, unlike the minimum..maximum.
WindowLevel percentileWindow(const Image2D& image);
/// The same over every voxel of a volume (stored values, before its rescale).
WindowLevel percentileWindow(const Volume& volume);

/// Applies a window to every component: values below center - width/2 become 0, above
/// center + width/2 become 255, inverted for MONOCHROME1 images. The result is uint8 with
/// the same channel count.
Image2D applyWindow(const Image2D& image, const WindowLevel& window);

/// Area-averaged reduction so that neither side exceeds maxSide (no-op when it fits).
Image2D downsampleToFit(const Image2D& image, int maxSide);

}  // namespace meridian::core
