#include "ItkImageIo.hpp"

#include <itkBMPImageIO.h>
#include <itkGDCMImageIO.h>
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
  // ITK 5.2 crashes on damaged PNG (abort) and JPEG (segfault) files, and GDCM asserts
  // (abort) on some DICOM files (pydicom's rtdose_1frame.dcm), so PNG and DICOM are not
  // sniffed here: PngReader and DcmtkReader read them, and DcmtkReader hands only JPEG 2000
  // to GDCM (itkDicomJpeg2000Format). JPEG is left to JpegReader entirely. TIFF is
  // write-only too: TIFFImageIO overflows a heap buffer on a damaged TIFF (raster fuzzer);
  // TiffReader reads TIFF through libtiff.
  static const std::vector<ItkFormat> formats = {
      {"DICOM", false, false, &make<itk::GDCMImageIO>},  {"NIfTI", false, true, &make<itk::NiftiImageIO>},
      {"NRRD", false, true, &make<itk::NrrdImageIO>},    {"MetaImage", false, true, &make<itk::MetaImageIO>},
      {"TIFF", true, false, &make<itk::TIFFImageIO>},    {"BMP", true, true, &make<itk::BMPImageIO>},
      {"PNG", true, false, &make<itk::PNGImageIO>},
  };
  return formats;
}

const ItkFormat* itkFormatForReading(const std::filesystem::path& path) {
  const std::string p = path.string();
  for (const auto& f : itkFormats()) {
    if (!f.reads) continue;
    try {
      if (f.create()->CanReadFile(p.c_str())) return &f;
    } catch (const itk::ExceptionObject&) {
      // A reader that throws while sniffing simply does not claim the file.
    }
  }
  return nullptr;
}

const ItkFormat& itkDicomJpeg2000Format() { return itkFormats().front(); }

const ItkFormat* itkFormatForWriting(const std::filesystem::path& path) {
  const std::string p = path.string();
  for (const auto& f : itkFormats())
    if (f.name != "DICOM" && f.create()->CanWriteFile(p.c_str())) return &f;
  return nullptr;
}

}  // namespace meridian::io::detail
