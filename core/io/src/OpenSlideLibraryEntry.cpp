// The entry point of libmeridian_io_openslide.so: its table (OpenSlideLibrary.hpp).

#include "OpenSlideLibrary.hpp"
#include "OpenSlideReader.hpp"

extern "C" __attribute__((visibility("default"))) const void* meridian_io_openslide_library() {
  using namespace meridian::io::detail;
  static const meridian::io::OpenSlideReader reader;
  static const OpenSlideLibrary table{sizeof(OpenSlideLibrary), kIoLayout, &reader,
                                     &meridian::io::OpenSlideReader::handlesOpened};
  return &table;
}
