#pragma once
// Loading a reader library on first use (issue 16). ITK with GDCM and OpenSlide cost tens of
// milliseconds of loading and static initialisation and dozens of shared objects; a command
// that reads a DICOM, PNG or JPEG file never needs them. They live in
// libmeridian_io_itk.so and libmeridian_io_openslide.so, which meridian_core_io opens with
// dlopen the first time a file needs them, in the style of the CLI's model library
// (app/cli/ModelCommandLoader.*). Private to meridian_core_io.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::io::detail {

/// Where `fileName` is looked for, in order: $MERIDIAN_IO_LIBRARY_DIR when set (then only
/// there), beside the running program, in ../lib from it (the installed layout), and in
/// the build's library folder.
std::vector<std::filesystem::path> ioLibraryCandidates(const std::string& fileName);

/// dlopen()s the first candidate that exists (RTLD_NOW | RTLD_LOCAL) and returns what its
/// `entry` function returns: the library's table. A table whose first member (its size) is
/// not `tableSize` comes from another build and is refused. The error names the library,
/// says where it was looked for or what the loader said, and what to do.
core::Result<const void*> loadIoLibrary(const std::string& fileName, const char* entry, std::size_t tableSize);

}  // namespace meridian::io::detail
