#pragma once
// What libmeridian_io_itk.so (ITK with GDCM, loaded on first use: IoLibrary.hpp) offers
// meridian_core_io: the ITK reader (NIfTI/Analyze, NRRD, MetaImage, BMP), GDCM for JPEG 2000
// DICOM, a map's geometry, and the ITK writers. The functions are defined in the library's
// sources (ItkImageReader.cpp, ItkMapGeometry.cpp, ItkImageWriter.cpp, ItkLibraryEntry.cpp);
// everything else reaches them through the table. Private to meridian_core_io.

#include <cstddef>
#include <filesystem>
#include <string>

#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/Image2D.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/core/Volume.hpp"
#include "meridian/io/ImageReader.hpp"
#include "meridian/io/ImageSummary.hpp"

namespace meridian::io::detail {

inline constexpr const char* kItkLibraryFile = "libmeridian_io_itk.so";
inline constexpr const char* kItkLibraryEntry = "meridian_io_itk_library";

struct ItkLibrary {
  std::size_t tableSize;  // sizeof(ItkLibrary) of the build that made the library
  std::size_t layout;     // sizes of the structures that cross (see kIoLayout)
  const ImageReader* reader;
  core::Result<OpenedImage> (*openDicomJpeg2000)(const std::filesystem::path& path);
  core::Result<ImageSummary> (*describeDicomJpeg2000)(const std::filesystem::path& path);
  bool (*storesGeometry)(const std::filesystem::path& path);
  core::Status (*readMapGeometry)(const std::filesystem::path& path, const std::string& openedFormat, core::Volume& out);
  core::Status (*writeImage)(const core::Image2D& image, const std::filesystem::path& path, const std::string& suffix,
                             const core::OutputPolicy& policy);
  core::Status (*writeVolume)(const core::Volume& volume, const std::filesystem::path& path, const std::string& suffix,
                              const core::OutputPolicy& policy);
};

/// A fingerprint of the structures both sides must agree on.
inline constexpr std::size_t kIoLayout = sizeof(OpenedImage) * 1000003u + sizeof(ImageSummary) * 1009u +
                                         sizeof(core::Volume) * 31u + sizeof(core::Image2D) + sizeof(core::OutputPolicy);

/// The library, loaded on the first call (thread-safe); the error says what is missing.
core::Result<const ItkLibrary*> itkLibrary();

// Defined in libmeridian_io_itk.so.
core::Status writeImageWithItk(const core::Image2D& image, const std::filesystem::path& path, const std::string& suffix,
                               const core::OutputPolicy& policy);
core::Status writeVolumeWithItk(const core::Volume& volume, const std::filesystem::path& path, const std::string& suffix,
                                const core::OutputPolicy& policy);
bool storesGeometry(const std::filesystem::path& path);
core::Status readMapGeometry(const std::filesystem::path& path, const std::string& openedFormat, core::Volume& out);

}  // namespace meridian::io::detail
