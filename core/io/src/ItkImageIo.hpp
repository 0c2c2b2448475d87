#pragma once
// The ITK ImageIO classes Meridian uses, chosen explicitly (no global factory
// registration), plus the name each format goes by in Meridian's messages.
// Private to meridian_core_io: ITK headers stay out of public headers.

#include <filesystem>
#include <string>
#include <vector>

#include <itkImageIOBase.h>

namespace meridian::io::detail {

struct ItkFormat {
  std::string name;          // "PNG", "NIfTI", "DICOM", ...
  bool photo;                // true for formats whose pixel spacing is not physical
  bool reads;                // false: write-only here (a safer reader of our own exists)
  itk::ImageIOBase::Pointer (*create)();
};

/// Every ITK format Meridian reads and writes, most specific first.
const std::vector<ItkFormat>& itkFormats();

/// The first format whose ImageIO can read `path` (by contents), or nullptr.
const ItkFormat* itkFormatForReading(const std::filesystem::path& path);

/// GDCM's DICOM reader, used only for JPEG 2000 files (DCMTK's free build lacks it).
const ItkFormat& itkDicomJpeg2000Format();

/// The first format whose ImageIO can write `path` (by extension), or nullptr.
const ItkFormat* itkFormatForWriting(const std::filesystem::path& path);

}  // namespace meridian::io::detail
