#include "DicomPixelDataCheck.hpp"

#include "DecodedSizeLimit.hpp"


#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <optional>
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

namespace {

bool isJpegFamily(E_TransferSyntax xfer) {
  switch (xfer) {
    case EXS_JPEGProcess1: case EXS_JPEGProcess2_4: case EXS_JPEGProcess14: case EXS_JPEGProcess14SV1:
    case EXS_JPEGLSLossless: case EXS_JPEGLSLossy:
      return true;
    default:
      return false;
  }
}

// The bytes of fragment `i`, or nullptr.
const Uint8* fragmentBytes(DcmPixelSequence& seq, unsigned long i, Uint32& length) {
  DcmPixelItem* item = nullptr;
  Uint8* bytes = nullptr;
  if (seq.getItem(item, i).bad() || !item || item->getUint8Array(bytes).bad()) return nullptr;
  length = item->getLength();
  return bytes;
}

bool endsWithEoi(const Uint8* b, Uint32 n) {
  // Pad bytes may follow the marker (fragments are even-length; some writers add more).
  for (Uint32 k = 0; k < 16 && n >= 2 + k; ++k) {
    const Uint32 end = n - k;
    if (b[end - 2] == 0xFF && b[end - 1] == 0xD9) return true;
    if (b[end - 1] != 0x00 && b[end - 1] != 0xFF) return false;
  }
  return false;
}

struct JpegFrameHeader {
  unsigned height = 0, width = 0, components = 0;
};

// The frame header (SOF, or JPEG-LS's SOF55) of the stream starting at `b` (after its SOI),
// found by walking the marker segments; nullopt when the scan or the end comes first.
std::optional<JpegFrameHeader> jpegFrameHeader(const Uint8* b, Uint32 n) {
  Uint32 i = 2;
  while (i + 4 <= n) {
    if (b[i] != 0xFF) return std::nullopt;
    const Uint8 marker = b[i + 1];
    if (marker == 0xFF) {  // fill byte before a marker
      ++i;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // TEM, RSTn: no length
      i += 2;
      continue;
    }
    if (marker == 0xD8 || marker == 0xD9 || marker == 0xDA) return std::nullopt;  // SOI, EOI, SOS
    const Uint32 length = (static_cast<Uint32>(b[i + 2]) << 8) | b[i + 3];
    if (length < 2) return std::nullopt;
    const bool sof = (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) ||
                     marker == 0xF7;
    if (sof) {
      if (length < 8 || i + 10 > n) return std::nullopt;
      return JpegFrameHeader{(static_cast<unsigned>(b[i + 5]) << 8) | b[i + 6],
                             (static_cast<unsigned>(b[i + 7]) << 8) | b[i + 8], b[i + 9]};
    }
    i += 2 + length;
  }
  return std::nullopt;
}

}  // namespace

core::Status checkJpegFrames(DcmFileFormat& file) {
  using core::ErrorCode;
  DcmDataset* data = file.getDataset();
  if (!isJpegFamily(data->getOriginalXfer())) return core::Ok{};
  DcmElement* element = nullptr;
  if (data->findAndGetElement(DCM_PixelData, element).bad() || !element) return core::Ok{};
  DcmPixelData* pixels = OFstatic_cast(DcmPixelData*, element);
  DcmPixelSequence* seq = nullptr;
  const DcmRepresentationParameter* param = nullptr;
  if (pixels->getEncapsulatedRepresentation(data->getOriginalXfer(), param, seq).bad() || !seq) return core::Ok{};
  const unsigned long fragments = seq->card();  // item 0 is the offset table
  if (fragments < 2) return core::makeError(ErrorCode::Corrupt, "compressed pixel data without any JPEG fragment");
  Sint32 frames = 1;
  data->findAndGetSint32(DCM_NumberOfFrames, frames);
  Uint16 rows = 0, columns = 0, samples = 1;
  data->findAndGetUint16(DCM_Rows, rows);
  data->findAndGetUint16(DCM_Columns, columns);
  data->findAndGetUint16(DCM_SamplesPerPixel, samples);
  // One fragment per frame (the common case, and the rule for JPEG-LS): each is a whole
  // stream. Otherwise the fragments of a frame follow each other: check the last one.
  const bool perFrame = frames > 1 && static_cast<unsigned long>(frames) == fragments - 1;
  for (unsigned long i = 1; i < fragments; ++i) {
    Uint32 length = 0;
    const Uint8* bytes = fragmentBytes(*seq, i, length);
    if (!bytes) return core::makeError(ErrorCode::Corrupt, "cannot read JPEG fragment " + std::to_string(i));
    const bool first = i == 1 || perFrame;
    const bool last = i == fragments - 1 || perFrame;
    if (first && (length < 2 || bytes[0] != 0xFF || bytes[1] != 0xD8))
      return core::makeError(ErrorCode::Corrupt, "JPEG stream " + std::to_string(i) + " does not start with a JPEG header (damaged)");
    if (first && rows > 0 && columns > 0) {
      // The decoders size the frame from the DICOM header and leave whatever the stream does
      // not cover as zeros: a 512x512 stream under a header of 25344 rows gave a volume 98%
      // black, with exit 0. The stream's own frame header must agree (a height of 0 is
      // JPEG's "given later by a DNL marker").
      const auto sof = jpegFrameHeader(bytes, length);
      if (!sof)
        return core::makeError(ErrorCode::Corrupt, "JPEG stream " + std::to_string(i) +
                                                       " has no frame header before its scan (damaged)");
      if ((sof->height != rows && sof->height != 0) || sof->width != columns || sof->components != samples)
        return core::makeError(
            ErrorCode::Corrupt,
            "JPEG stream " + std::to_string(i) + " holds a " + std::to_string(sof->width) + "x" +
                std::to_string(sof->height) + " image of " + std::to_string(sof->components) +
                " component(s) where the DICOM header says " + std::to_string(columns) + "x" + std::to_string(rows) +
                " with " + std::to_string(samples) + " sample(s) per pixel (damaged or mismatched header)");
    }
    if (last && !endsWithEoi(bytes, length))
      return core::makeError(ErrorCode::Corrupt, "truncated JPEG stream: frame data " + std::to_string(i) +
                                                     " ends before its end-of-image marker (shorter than its header says)");
  }
  return core::Ok{};
}

}  // namespace meridian::io::detail
