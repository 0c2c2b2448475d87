#include "ItkImageIo.hpp"

#include <itkBMPImageIO.h>
#include <itkGDCMImageIO.h>
#include <itkJPEGImageIO.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>
#include <itkPNGImageIO.h>
#include <itkTIFFImageIO.h>

namespace meridian::io::detail {
namespace {
template <class Io>
itk::ImageIOBase::Pointer make() {
  return Io::New().GetPointer();
}
}  // namespace

const std::vector<ItkFormat>& itkFormats() {
  static const std::vector<ItkFormat> formats = {
      {"DICOM", false, &make<itk::GDCMImageIO>},   {"NIfTI", false, &make<itk::NiftiImageIO>},
      {"NRRD", false, &make<itk::NrrdImageIO>},    {"MetaImage", false, &make<itk::MetaImageIO>},
      {"PNG", true, &make<itk::PNGImageIO>},       {"JPEG", true, &make<itk::JPEGImageIO>},
      {"TIFF", true, &make<itk::TIFFImageIO>},     {"BMP", true, &make<itk::BMPImageIO>},
  };
  return formats;
}

const ItkFormat* itkFormatForReading(const std::filesystem::path& path) {
  const std::string p = path.string();
  for (const auto& f : itkFormats()) {
    try {
      if (f.create()->CanReadFile(p.c_str())) return &f;
    } catch (const itk::ExceptionObject&) {
      // A reader that throws while sniffing simply does not claim the file.
    }
  }
  return nullptr;
}

const ItkFormat* itkFormatForWriting(const std::filesystem::path& path) {
  const std::string p = path.string();
  for (const auto& f : itkFormats())
    if (f.create()->CanWriteFile(p.c_str())) return &f;
  return nullptr;
}

}  // namespace meridian::io::detail
