#pragma once
// What libmeridian_io_openslide.so (OpenSlide, loaded on first use: IoLibrary.hpp) offers
// meridian_core_io: the whole-slide reader. Private to meridian_core_io.

#include <cstddef>
#include <cstdint>

#include "ItkLibrary.hpp"  // kIoLayout
#include "meridian/core/Result.hpp"
#include "meridian/io/ImageReader.hpp"

namespace meridian::io::detail {

inline constexpr const char* kOpenSlideLibraryFile = "libmeridian_io_openslide.so";
inline constexpr const char* kOpenSlideLibraryEntry = "meridian_io_openslide_library";

struct OpenSlideLibrary {
  std::size_t tableSize;  // sizeof(OpenSlideLibrary) of the build that made the library
  std::size_t layout;     // kIoLayout of that build
  const ImageReader* reader;
  std::uint64_t (*handlesOpened)();  // OpenSlideReader::handlesOpened
};

core::Result<const OpenSlideLibrary*> openSlideLibrary();

}  // namespace meridian::io::detail
