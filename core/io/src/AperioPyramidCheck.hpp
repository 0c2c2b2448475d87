#pragma once
// A check OpenSlide 3.4.1 needs before it opens an Aperio slide. When a level has missing
// (zero-length) tiles, its Aperio driver marks the tiles of the next level under them as
// missing too, dividing each tile's column and row by round(this level's tiles across (down) /
// the next level's): zero when the next level has more than twice as many, and the process
// dies of SIGFPE inside openslide_open (a 22 KB file found by fuzz_slide, 2026-12-04). A
// pyramid's levels shrink, so such a file is damaged: refused here, before OpenSlide reads it.

#include <filesystem>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

/// Walks the TIFF's tiled directories (OpenSlide's Aperio levels, in file order) with libtiff
/// and refuses a level with more than twice the tiles across or down of the level before it.
/// A file libtiff cannot open passes: OpenSlide then reports it in its own words.
core::Status checkAperioPyramid(const std::filesystem::path& path);

}  // namespace meridian::io::detail
