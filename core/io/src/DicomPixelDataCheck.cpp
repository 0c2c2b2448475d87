#include "DicomPixelDataCheck.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <string>

namespace meridian::io::detail {

core::Status checkDicomPixelDataLength(const std::filesystem::path& path) {
  using core::ErrorCode;
  DcmFileFormat file;
  // Read the pixel data's header but not its value: large elements load lazily.
  const OFCondition loaded = file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096);
  if (loaded.bad()) return core::makeError(ErrorCode::Corrupt, std::string("DICOM parse error: ") + loaded.text());
  DcmDataset* data = file.getDataset();
  DcmElement* pixelData = nullptr;
  if (data->findAndGetElement(DCM_PixelData, pixelData).bad() || !pixelData) return core::Ok{};  // no image here
  if (DcmXfer(data->getOriginalXfer()).isEncapsulated()) return core::Ok{};
  Uint16 rows = 0, columns = 0, samples = 1, bitsAllocated = 0;
  Sint32 frames = 1;
  data->findAndGetUint16(DCM_Rows, rows);
  data->findAndGetUint16(DCM_Columns, columns);
  data->findAndGetUint16(DCM_SamplesPerPixel, samples);
  data->findAndGetUint16(DCM_BitsAllocated, bitsAllocated);
  data->findAndGetSint32(DCM_NumberOfFrames, frames);
  if (rows == 0 || columns == 0 || bitsAllocated == 0)
    return core::makeError(ErrorCode::Corrupt, "Rows, Columns or Bits Allocated missing or zero");
  const unsigned long long expectedBits =
      static_cast<unsigned long long>(rows) * columns * std::max<Sint32>(frames, 1) * std::max<Uint16>(samples, 1) *
      bitsAllocated;
  const unsigned long long expected = (expectedBits + 7) / 8;
  const unsigned long long actual = pixelData->getLength();
  if (actual < expected)
    return core::makeError(ErrorCode::Corrupt, "truncated pixel data: " + std::to_string(actual) + " bytes where " +
                                                   std::to_string(rows) + "x" + std::to_string(columns) + "x" +
                                                   std::to_string(std::max<Sint32>(frames, 1)) + " pixels need " +
                                                   std::to_string(expected));
  return core::Ok{};
}

}  // namespace meridian::io::detail
