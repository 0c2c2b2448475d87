#include "DicomPixelDataCheck.hpp"

#include "DecodedSizeLimit.hpp"


#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <string>

namespace meridian::io::detail {

core::Status checkDicomPixelDataLength(DcmFileFormat& file) {
  using core::ErrorCode;
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
  OFString photometric;
  data->findAndGetOFString(DCM_PhotometricInterpretation, photometric);
  // 4:2:2 subsampled YBR stores two chroma samples per two pixels: 2 samples per pixel.
  const unsigned long long samplesStored =
      (photometric == "YBR_FULL_422" || photometric == "YBR_PARTIAL_422") ? 2 : std::max<Uint16>(samples, 1);
  const auto expectedBits = checkedProduct({rows, columns, static_cast<std::uint64_t>(std::max<Sint32>(frames, 1)),
                                            samplesStored, bitsAllocated});
  if (!expectedBits)
    return core::makeError(ErrorCode::Corrupt, "header claims " + std::to_string(columns) + "x" + std::to_string(rows) +
                                                   " pixels x " + std::to_string(frames) +
                                                   " frames, a size beyond any memory (damaged or hostile file)");
  const unsigned long long expected = (*expectedBits + 7) / 8;
  const unsigned long long actual = pixelData->getLength();
  if (actual < expected)
    return core::makeError(ErrorCode::Corrupt, "truncated pixel data: " + std::to_string(actual) + " bytes where " +
                                                   std::to_string(columns) + "x" + std::to_string(rows) + " pixels x " +
                                                   std::to_string(std::max<Sint32>(frames, 1)) + " frames need " +
                                                   std::to_string(expected));
  return core::Ok{};
}

}  // namespace meridian::io::detail
