#include "DcmtkReader.hpp"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <cstring>
#include <fstream>

#include "DicomDecoder.hpp"
#include "DicomGeometry.hpp"
#include "DicomStoredRange.hpp"
#include "ItkLibrary.hpp"
#include "meridian/io/ImageSummary.hpp"

namespace meridian::io {
namespace {

using core::ErrorCode;
using core::makeError;

struct FrameGeometry {
  core::Vec3 spacing{1.0, 1.0, 1.0};
  core::Vec3 origin{0.0, 0.0, 0.0};
  core::Mat3 direction = core::kIdentity3;
};

// Spacing, origin and direction of a multi-frame object's frames as a volume.
FrameGeometry volumeGeometry(const detail::DicomImageHeader& h) {
  FrameGeometry g;
  const auto px = h.pixelSpacing.value_or(std::array<double, 2>{1.0, 1.0});
  g.spacing = {px[0], px[1], h.spacingBetweenSlices.value_or(h.sliceThickness.value_or(1.0))};
  if (h.position) g.origin = *h.position;
  if (h.orientation) g.direction = detail::directionFromOrientation(*h.orientation);
  if (h.framePositions.size() >= 2 && h.orientation) {
    // Enhanced objects: the distance between frame positions along the normal is the truth.
    const auto n = detail::sliceNormal(*h.orientation);
    const auto& a = h.framePositions[0];
    const auto& b = h.framePositions[1];
    const double d = detail::dot({b[0] - a[0], b[1] - a[1], b[2] - a[2]}, n);
    if (std::abs(d) > 1e-6) g.spacing[2] = std::abs(d);
    if (d < 0)  // frames run against the normal: flip the third axis so spacing stays positive
      for (int r = 0; r < 3; ++r) g.direction[r * 3 + 2] = -g.direction[r * 3 + 2];
  }
  return g;
}

bool isMonochrome(const detail::DicomImageHeader& h) {
  return h.photometric.rfind("MONOCHROME", 0) == 0 || (h.photometric.empty() && h.samplesPerPixel == 1);
}

}  // namespace

double DcmtkReader::detect(const std::filesystem::path& path) const {
  std::ifstream in(path, std::ios::binary);
  char preamble[132] = {};
  in.read(preamble, sizeof preamble);
  if (in && std::memcmp(preamble + 128, "DICM", 4) == 0) return 0.8;
  // Files without the Part 10 preamble (older archives): accept them only when DCMTK
  // parses a header that carries DICOM's identifying attributes.
  return detail::looksLikeBareDicom(path) ? 0.7 : 0.0;
}

core::Result<OpenedImage> DcmtkReader::open(const std::filesystem::path& path) const {
  auto loaded = detail::loadDicomFile(path);
  if (!loaded) return loaded.error();
  DcmFileFormat& file = *loaded.value();
  if (detail::needsJpeg2000(file)) {  // GDCM through ITK, loaded now
    auto itk = detail::itkLibrary();
    if (!itk) return itk.error();
    return itk.value()->openDicomJpeg2000(path);
  }
  auto header = detail::readImageHeader(file);
  if (!header) return header.error();
  const auto& h = header.value();
  std::error_code ec;
  if (auto size = detail::checkDecodedSize(h, std::filesystem::file_size(path, ec)); !size) return size.error();
  auto pixels = detail::decodePixels(file, h);
  if (!pixels) return pixels.error();
  detail::DecodedPixels& px = pixels.value();

  OpenedImage opened;
  opened.format = "DICOM";
  if (px.frames == 1) {
    auto image = core::Image2D::allocate(px.width, px.height, px.channels, px.type);
    if (!image) return image.error();
    core::Image2D out = std::move(image).value();
    std::memcpy(out.data(), px.bytes.data(), out.sizeInBytes());
    out.spacing = h.pixelSpacing;
    out.modality = h.modality;
    out.photometric = px.channels == 3 ? "RGB" : (h.photometric == "MONOCHROME1" ? "MONOCHROME1" : "MONOCHROME2");
    if (h.window) out.displayWindow = core::WindowLevel{(*h.window)[0], (*h.window)[1]};
    for (const auto& w : h.windows) out.windows.push_back(core::WindowLevel{w[0], w[1]});
    if (px.channels == 1) out.voiLuts = h.voiLuts;
    opened.content = std::move(out);
    return opened;
  }
  // Several frames: a volume (enhanced CT/MR, OCT B-scans) or, in colour, a frame stack
  // such as an ultrasound cine loop, its frames along k.
  auto volume = core::Volume::allocate({px.width, px.height, px.frames}, px.type, core::PixelBuffer::Init::Uninitialized,
                                       px.channels);
  if (!volume) return volume.error();
  core::Volume out = std::move(volume).value();
  std::memcpy(out.data(), px.bytes.data(), out.sizeInBytes());
  const FrameGeometry g = volumeGeometry(h);
  out.spacing = g.spacing;
  out.origin = g.origin;
  out.direction = g.direction;
  out.modality = h.modality;
  opened.content = std::move(out);
  return opened;
}

core::Result<ImageSummary> DcmtkReader::describe(const std::filesystem::path& path) const {
  detail::DicomScanNotes notes;
  auto loaded = detail::loadDicomHeader(path, notes);
  if (!loaded) return loaded.error();
  DcmFileFormat& file = *loaded.value();
  if (detail::needsJpeg2000(file)) {
    auto itk = detail::itkLibrary();
    if (!itk) return itk.error();
    return itk.value()->describeDicomJpeg2000(path);
  }
  const bool pixelsParsed = !notes.deflated;  // else the load stopped before them
  auto header = detail::readImageHeader(file, pixelsParsed);
  if (!header) return header.error();
  const auto& h = header.value();
  std::error_code ec;
  if (auto size = detail::checkDecodedSize(h, std::filesystem::file_size(path, ec)); !size) return size.error();

  // The pixel type and channels decodePixels would give, without decoding (see open()).
  ImageSummary s;
  s.format = "DICOM";
  s.modality = h.modality;
  if (isMonochrome(h)) {
    const bool native = !DcmXfer(file.getDataset()->getOriginalXfer()).isEncapsulated() && !notes.deflated;
    const auto range = detail::storedRange(path, h, notes, native);
    s.dtype = core::toString(detail::monochromeType(h, detail::storedAsUint8(h), range.min, range.max));
    s.channels = 1;
  } else {
    if (h.bitsAllocated > 16)
      return makeError(ErrorCode::Unsupported, "colour with " + std::to_string(h.bitsAllocated) +
                                                   "-bit samples is not supported (Meridian keeps 8 or 16 bits)");
    s.dtype = core::toString(h.bitsAllocated > 8 ? core::PixelType::UInt16 : core::PixelType::UInt8);
    s.channels = 3;
  }
  if (h.frames == 1) {
    s.kind = ImageKind::Image;
    s.size = {h.columns, h.rows};
    if (h.pixelSpacing) s.spacing = std::vector<double>{(*h.pixelSpacing)[0], (*h.pixelSpacing)[1]};
    return s;
  }
  const FrameGeometry g = volumeGeometry(h);
  s.kind = ImageKind::Volume;
  s.size = {h.columns, h.rows, h.frames};
  s.spacing = std::vector<double>(g.spacing.begin(), g.spacing.end());
  s.origin = std::vector<double>(g.origin.begin(), g.origin.end());
  s.direction = std::vector<double>(g.direction.begin(), g.direction.end());
  return s;
}

}  // namespace meridian::io
