// The entry point of libmeridian_io_itk.so: its table (ItkLibrary.hpp).

#include "ItkImageReader.hpp"
#include "ItkLibrary.hpp"

namespace {

meridian::core::Result<meridian::io::OpenedImage> openDicomJpeg2000(const std::filesystem::path& path) {
  return meridian::io::ItkImageReader().openDicomJpeg2000(path);
}

meridian::core::Result<meridian::io::ImageSummary> describeDicomJpeg2000(const std::filesystem::path& path) {
  return meridian::io::ItkImageReader().describeDicomJpeg2000(path);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const void* meridian_io_itk_library() {
  using namespace meridian::io::detail;
  static const meridian::io::ItkImageReader reader;
  static const ItkLibrary table{sizeof(ItkLibrary), kIoLayout,           &reader,        &openDicomJpeg2000,
                                &describeDicomJpeg2000, &storesGeometry, &readMapGeometry, &writeImageWithItk,
                                &writeVolumeWithItk};
  return &table;
}
