#include "DicomDecoder.hpp"

#include "DecodedSizeLimit.hpp"

#include "DicomLengthScan.hpp"
#include "DicomPixelDataCheck.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/oflog/oflog.h>
#include <dcmtk/dcmimage/diregist.h>  // colour image support for DicomImage
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>

#include "meridian/core/Logging.hpp"

namespace meridian::io::detail {
namespace {

using core::ErrorCode;
using core::makeError;
using core::PixelType;

std::optional<double> number(DcmItem& item, const DcmTagKey& tag, unsigned long pos = 0, bool deep = false) {
  Float64 v = 0;
  if (item.findAndGetFloat64(tag, v, pos, deep ? OFTrue : OFFalse).good() && std::isfinite(v)) return v;
  return std::nullopt;
}


template <std::size_t N>
std::optional<std::array<double, N>> numbers(DcmItem& item, const DcmTagKey& tag, bool deep = false) {
  std::array<double, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    auto v = number(item, tag, i, deep);
    if (!v) return std::nullopt;
    out[i] = *v;
  }
  return out;
}

// Values of `count` stored samples after slope/intercept, written as `Out`.
// The caller picked Out so that every result fits (see rescaleMonochrome).
template <class In, class Out>
void rescale(const In* in, std::size_t count, double slope, double intercept, Out* out) {
  if constexpr (std::is_integral_v<Out>) {
    // Integral slope and intercept: exact integer arithmetic, no per-pixel rounding calls.
    const long long a = std::llround(slope), b = std::llround(intercept);
    for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<Out>(static_cast<long long>(in[i]) * a + b);
  } else {
    for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<Out>(static_cast<double>(in[i]) * slope + intercept);
  }
}

template <class In>
core::Result<DecodedPixels> rescaleMonochrome(const In* in, std::size_t count, const DicomImageHeader& h,
                                              DecodedPixels out) {
  const auto [lo, hi] = std::minmax_element(in, in + count);
  out.type = monochromeType(h, std::is_same_v<In, Uint8>, static_cast<double>(*lo), static_cast<double>(*hi));
  out.bytes.resize(count * core::bytesPerComponent(out.type));
  switch (out.type) {
    case PixelType::UInt8: rescale(in, count, 1.0, 0.0, out.bytes.data()); break;
    case PixelType::Int16: rescale(in, count, h.rescaleSlope, h.rescaleIntercept, reinterpret_cast<std::int16_t*>(out.bytes.data())); break;
    case PixelType::UInt16: rescale(in, count, h.rescaleSlope, h.rescaleIntercept, reinterpret_cast<std::uint16_t*>(out.bytes.data())); break;
    case PixelType::Float32: rescale(in, count, h.rescaleSlope, h.rescaleIntercept, reinterpret_cast<float*>(out.bytes.data())); break;
  }
  return out;
}

// The samples per pixel a photometric interpretation has, or 0 for one Meridian does not know.
int samplesFor(const std::string& photometric) {
  if (photometric == "MONOCHROME1" || photometric == "MONOCHROME2" || photometric == "PALETTE COLOR") return 1;
  if (photometric == "RGB" || photometric == "HSV" || photometric.rfind("YBR_", 0) == 0) return 3;
  if (photometric == "ARGB" || photometric == "CMYK") return 4;
  return 0;
}

}  // namespace

core::PixelType monochromeType(const DicomImageHeader& h, bool uint8Stored, double storedMin, double storedMax) {
  const double a = storedMin * h.rescaleSlope + h.rescaleIntercept, b = storedMax * h.rescaleSlope + h.rescaleIntercept;
  const bool integral = std::floor(h.rescaleSlope) == h.rescaleSlope && std::floor(h.rescaleIntercept) == h.rescaleIntercept;
  const double min = std::min(a, b), max = std::max(a, b);
  if (uint8Stored && h.rescaleSlope == 1.0 && h.rescaleIntercept == 0.0) return PixelType::UInt8;
  if (integral && min >= std::numeric_limits<std::int16_t>::min() && max <= std::numeric_limits<std::int16_t>::max())
    return PixelType::Int16;
  if (integral && min >= 0 && max <= std::numeric_limits<std::uint16_t>::max()) return PixelType::UInt16;
  return PixelType::Float32;
}

bool storedAsUint8(const DicomImageHeader& h) {
  // DCMTK keeps stored values in the smallest type their bit range fits (a Modality LUT
  // Sequence replaces them by its entries, never 8-bit here).
  const int bits = h.bitsStored > 0 ? h.bitsStored : h.bitsAllocated;
  return !h.modalityLut && h.pixelRepresentation == 0 && bits <= 8;
}

std::string dicomText(DcmItem& item, const DcmTagKey& tag) {
  OFString v;
  item.findAndGetOFString(tag, v);
  return v.c_str();
}

core::Error parseError(const OFCondition& status) {
  if (status == EC_StreamNotifyClient)
    return makeError(ErrorCode::Corrupt,
                     "DICOM parse error: the file ends early, before the element being read (truncated, or a "
                     "malformed length)");
  if (status == EC_InvalidStream)
    return makeError(ErrorCode::Corrupt,
                     "DICOM parse error: an element claims more bytes than the file holds (truncated, or damaged)");
  return makeError(ErrorCode::Corrupt, std::string("DICOM parse error: ") + status.text());
}

void registerDicomCodecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    // DCMTK logs to the console by default; Meridian reports failures through Result.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    for (const char* name : {"dcmtk", "dcmtk.dcmdata", "dcmtk.dcmimgle", "dcmtk.dcmimage", "dcmtk.dcmjpeg", "dcmtk.dcmjpls"})
      OFLog::getLogger(name).setLogLevel(OFLogger::FATAL_LOG_LEVEL);
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

bool needsJpeg2000(const DcmFileFormat& file) {
  const E_TransferSyntax xfer = const_cast<DcmFileFormat&>(file).getDataset()->getOriginalXfer();
  return xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000 || xfer == EXS_JPEG2000MulticomponentLosslessOnly ||
         xfer == EXS_JPEG2000Multicomponent;
}

bool looksLikeBareDicom(const std::filesystem::path& path) {
  registerDicomCodecs();
  if (!scanDicomLengths(path)) return false;
  DcmFileFormat file;
  if (file.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect, DCM_PixelData).bad())
    return false;
  DcmDataset& ds = *file.getDataset();
  return ds.card() > 2 && (ds.tagExists(DCM_SOPClassUID) || ds.tagExists(DCM_StudyInstanceUID) || ds.tagExists(DCM_Rows));
}

OFCondition loadWithoutPadding(DcmFileFormat& file, const std::filesystem::path& path, std::uint64_t dataBytes) {
  std::vector<char> bytes(dataBytes);
  std::ifstream in(path, std::ios::binary);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) return EC_InvalidStream;
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  file.transferInit();
  const OFCondition status = file.read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file.transferEnd();
  return status;
}

core::Result<std::unique_ptr<DcmFileFormat>> loadDicomFile(const std::filesystem::path& path) {
  registerDicomCodecs();
  DicomScanNotes notes;
  if (auto lengths = scanDicomLengths(path, &notes); !lengths) return lengths.error();
  auto file = std::make_unique<DcmFileFormat>();
  // Trailing padding: parse the bytes before it, as DCMTK and pydicom stop at it.
  const OFCondition status = notes.paddingOffset ? loadWithoutPadding(*file, path, *notes.paddingOffset)
                                                 : file->loadFile(path.c_str());
  if (status.bad()) return parseError(status);
  if (notes.paddingOffset)
    core::logging::get(core::logging::Layer::Core)
        ->warn("{}: {} bytes of trailing padding after the last data element were ignored", path.string(),
               notes.paddingBytes);
  // Every decoder after this (DicomImage, the series fast path reading the raw words)
  // may rely on the native pixel data holding what Rows x Columns x Frames promise.
  if (auto length = checkDicomPixelDataLength(*file); !length) return length.error();
  if (auto jpeg = checkJpegFrames(*file); !jpeg) return jpeg.error();
  return file;
}

core::Result<std::unique_ptr<DcmFileFormat>> loadDicomHeader(const std::filesystem::path& path, DicomScanNotes& notes) {
  registerDicomCodecs();
  if (auto lengths = scanDicomLengths(path, &notes); !lengths) return lengths.error();
  auto file = std::make_unique<DcmFileFormat>();
  // A deflated stream cannot leave values on disk: it stops at the Pixel Data. Trailing
  // padding does not parse: the bytes before it are parsed as loadDicomFile does (read, not
  // decoded), so a Pixel Data shorter than its header says is refused here too.
  const OFCondition status =
      notes.deflated ? file->loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect, DCM_PixelData)
      : notes.paddingOffset ? loadWithoutPadding(*file, path, *notes.paddingOffset)
                            : file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
  if (status.bad()) return parseError(status);
  if (auto length = checkDicomPixelDataLength(*file); !length) return length.error();
  if (auto jpeg = checkJpegFrames(*file); !jpeg) return jpeg.error();
  return file;
}

// The VOI LUT Sequence's items. Descriptor (PS3.3 C.11.2.1.1): entries (0 means 65536),
// first input value mapped (US, or SS where inputs can be negative), bits per entry.
// LUT Data holds one entry per 16-bit word, or for 8-bit entries possibly two per word.
static core::Result<std::vector<core::LookupTable>> readVoiLuts(DcmItem& ds) {
  std::vector<core::LookupTable> luts;
  DcmSequenceOfItems* sequence = nullptr;
  if (ds.findAndGetSequence(DCM_VOILUTSequence, sequence).bad() || !sequence) return luts;
  Uint16 representation = 0;
  ds.findAndGetUint16(DCM_PixelRepresentation, representation);
  for (unsigned long i = 0; i < sequence->card(); ++i) {
    DcmItem& item = *sequence->getItem(i);
    DcmElement* descriptor = nullptr;
    // The descriptor's raw 16 bits, whether it was written as US or SS.
    auto raw = [&](unsigned long pos, Uint16& out) {
      Sint16 s = 0;
      if (descriptor->getUint16(out, pos).good()) return true;
      if (descriptor->getSint16(s, pos).bad()) return false;
      out = static_cast<Uint16>(s);
      return true;
    };
    Uint16 d0 = 0, d1 = 0, d2 = 0;
    if (item.findAndGetElement(DCM_LUTDescriptor, descriptor).bad() || !descriptor || descriptor->getVM() < 3 ||
        !raw(0, d0) || !raw(1, d1) || !raw(2, d2))
      return makeError(ErrorCode::Corrupt, "VOI LUT " + std::to_string(i + 1) + ": no readable LUT Descriptor");
    core::LookupTable lut;
    const std::size_t entries = d0 == 0 ? 65536 : d0;
    const bool signedFirst = descriptor->getVR() == EVR_SS || (representation == 1 && d1 > 32767);
    lut.firstMapped = signedFirst ? static_cast<Sint16>(d1) : static_cast<int>(d1);
    lut.bits = d2;
    if (lut.bits != 8 && (lut.bits < 10 || lut.bits > 16))
      return makeError(ErrorCode::Unsupported, "VOI LUT " + std::to_string(i + 1) + ": " + std::to_string(lut.bits) +
                                                   " bits per entry (DICOM allows 8 or 10 to 16)");
    Uint16* words = nullptr;
    unsigned long count = 0;
    DcmElement* data = nullptr;
    if (item.findAndGetElement(DCM_LUTData, data).bad() || !data || data->getUint16Array(words).bad() || !words)
      return makeError(ErrorCode::Corrupt, "VOI LUT " + std::to_string(i + 1) + ": no LUT Data");
    count = data->getLength() / 2;
    if (count == entries) {
      lut.entries.assign(words, words + count);
    } else if (lut.bits == 8 && count == (entries + 1) / 2) {
      for (std::size_t k = 0; k < entries; ++k)
        lut.entries.push_back(static_cast<Uint16>((words[k / 2] >> (8 * (k % 2))) & 0xFF));
    } else {
      return makeError(ErrorCode::Corrupt, "VOI LUT " + std::to_string(i + 1) + ": LUT Data holds " +
                                               std::to_string(count) + " values for " + std::to_string(entries) +
                                               " entries");
    }
    const std::uint16_t limit = static_cast<std::uint16_t>((1u << lut.bits) - 1);
    for (auto& e : lut.entries) e = std::min(e, limit);
    lut.explanation = dicomText(item, DCM_LUTExplanation);
    luts.push_back(std::move(lut));
  }
  return luts;
}

core::Result<DicomImageHeader> readImageHeader(DcmFileFormat& file, bool pixelDataLoaded) {
  DcmDataset& ds = *file.getDataset();
  DicomImageHeader h;
  Uint16 u = 0;
  if (ds.findAndGetUint16(DCM_Rows, u).good()) h.rows = u;
  if (ds.findAndGetUint16(DCM_Columns, u).good()) h.columns = u;
  if (ds.findAndGetUint16(DCM_SamplesPerPixel, u).good()) h.samplesPerPixel = u;
  if (ds.findAndGetUint16(DCM_BitsAllocated, u).good()) h.bitsAllocated = u;
  if (ds.findAndGetUint16(DCM_BitsStored, u).good()) h.bitsStored = u;
  if (ds.findAndGetUint16(DCM_HighBit, u).good()) h.highBit = u;
  if (ds.findAndGetUint16(DCM_PixelRepresentation, u).good()) h.pixelRepresentation = u;
  Sint32 frames = 1;
  if (ds.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 0) h.frames = frames;
  if (h.rows <= 0 || h.columns <= 0) return makeError(ErrorCode::Unsupported, "not an image (no Rows/Columns)");
  if (pixelDataLoaded && !ds.tagExists(DCM_PixelData)) return makeError(ErrorCode::Unsupported, "no pixel data (not an image object)");
  h.photometric = dicomText(ds, DCM_PhotometricInterpretation);
  // PS3.3 C.7.6.3.1.2: the photometric interpretation fixes the samples per pixel. DCMTK
  // sizes its buffers by Samples per Pixel whatever the interpretation says: a MONOCHROME2
  // JPEG of 512x512x4 claiming 513 samples took 1 GB to decode 1 MB (found by fuzz_dicom).
  if (const int want = samplesFor(h.photometric); want > 0 && h.samplesPerPixel != want)
    return makeError(ErrorCode::Corrupt, "Samples per Pixel is " + std::to_string(h.samplesPerPixel) + " where " +
                                             h.photometric + " has " + std::to_string(want) + " (damaged header)");
  h.modality = dicomText(ds, DCM_Modality);
  h.sopClassUid = dicomText(ds, DCM_SOPClassUID);
  h.seriesUid = dicomText(ds, DCM_SeriesInstanceUID);
  h.studyUid = dicomText(ds, DCM_StudyInstanceUID);
  // Enhanced objects keep these in (shared or per-frame) functional groups: search deep.
  h.rescaleSlope = number(ds, DCM_RescaleSlope, 0, true).value_or(1.0);
  h.rescaleIntercept = number(ds, DCM_RescaleIntercept, 0, true).value_or(0.0);
  if (h.rescaleSlope == 0.0) h.rescaleSlope = 1.0;  // a zero slope is a broken header, not a black image
  if (auto s = numbers<2>(ds, DCM_PixelSpacing, true)) h.pixelSpacing = std::array<double, 2>{(*s)[1], (*s)[0]};
  else if (auto s2 = numbers<2>(ds, DCM_ImagerPixelSpacing, true)) h.pixelSpacing = std::array<double, 2>{(*s2)[1], (*s2)[0]};
  h.orientation = numbers<6>(ds, DCM_ImageOrientationPatient, true);
  h.position = numbers<3>(ds, DCM_ImagePositionPatient, false);
  DcmSequenceOfItems* perFrame = nullptr;
  if (ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame).good() && perFrame) {
    for (unsigned long i = 0; i < perFrame->card(); ++i) {
      auto p = numbers<3>(*perFrame->getItem(i), DCM_ImagePositionPatient, true);
      if (!p) {
        h.framePositions.clear();
        break;
      }
      h.framePositions.push_back(*p);
    }
    if (!h.position && !h.framePositions.empty()) h.position = h.framePositions.front();
  }
  h.sliceThickness = number(ds, DCM_SliceThickness, 0, true);
  h.spacingBetweenSlices = number(ds, DCM_SpacingBetweenSlices, 0, true);
  auto centre = number(ds, DCM_WindowCenter, 0, true), width = number(ds, DCM_WindowWidth, 0, true);
  if (centre && width && *width > 0) h.window = std::array<double, 2>{*centre, *width};
  for (unsigned long i = 0; i < 16; ++i) {
    auto c = number(ds, DCM_WindowCenter, i), w = number(ds, DCM_WindowWidth, i);
    if (!c || !w) break;
    if (*w > 0) h.windows.push_back({*c, *w});
  }
  DcmSequenceOfItems* modalityLut = nullptr;
  h.modalityLut = ds.findAndGetSequence(DCM_ModalityLUTSequence, modalityLut).good() && modalityLut &&
                  modalityLut->card() > 0;
  if (h.modalityLut) {  // the LUT, not slope/intercept, gives the modality values
    h.rescaleSlope = 1.0;
    h.rescaleIntercept = 0.0;
  }
  // A broken VOI LUT does not make the image unreadable: it is shown with its window.
  if (auto luts = readVoiLuts(ds)) h.voiLuts = std::move(luts).value();
  else core::logging::get(core::logging::Layer::Core)->warn("VOI LUT ignored: {}", luts.error().message);
  return h;
}

// DCMTK byte-swaps big-endian pixel data as 16-bit words (its VR is OW), which leaves the
// two halves of every 32-bit sample in the wrong order (pydicom's rtdose_expb.dcm shows
// it). Swap them back before decoding.
void repairBigEndian32(DcmDataset& ds, const DicomImageHeader& header) {
  const E_TransferSyntax xfer = ds.getOriginalXfer();
  if (header.bitsAllocated != 32 || (xfer != EXS_BigEndianExplicit && xfer != EXS_BigEndianImplicit)) return;
  DcmElement* pixels = nullptr;
  Uint16* words = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, pixels).bad() || !pixels || pixels->getUint16Array(words).bad() || !words)
    return;
  const unsigned long count = pixels->getLength() / 4;
  for (unsigned long i = 0; i < count; ++i) std::swap(words[2 * i], words[2 * i + 1]);
}

core::Status checkDecodedSize(const DicomImageHeader& h, std::uint64_t fileBytes) {
  const std::string claimed = std::to_string(h.columns) + "x" + std::to_string(h.rows) + "x" + std::to_string(h.frames) +
                              " (" + std::to_string(h.samplesPerPixel) + " samples of " +
                              std::to_string(h.bitsAllocated) + " bits)";
  auto decoded = claimedBytes({static_cast<std::uint64_t>(h.rows), static_cast<std::uint64_t>(h.columns),
                               static_cast<std::uint64_t>(h.frames),
                               static_cast<std::uint64_t>(std::max(1, h.samplesPerPixel)),
                               static_cast<std::uint64_t>(std::max(1, (h.bitsAllocated + 7) / 8))},
                              claimed);
  if (!decoded) return decoded.error();
  return checkDecodedSize(decoded.value(), fileBytes, kVolumeLimit, claimed);
}

core::Result<DecodedPixels> decodePixels(DcmFileFormat& file, const DicomImageHeader& header) {
  DcmDataset* ds = file.getDataset();
  const E_TransferSyntax xfer = ds->getOriginalXfer();
  repairBigEndian32(*ds, header);
  // A Modality LUT Sequence: DCMTK applies it (readImageHeader set slope 1, intercept 0);
  // otherwise Meridian applies slope and intercept itself, exactly.
  DicomImage image(ds, xfer, header.modalityLut ? 0 : CIF_IgnoreModalityTransformation, 0, 0);
  if (image.getStatus() != EIS_Normal)
    return makeError(ErrorCode::Unsupported,
                     std::string("cannot decode pixels (") + DcmXfer(xfer).getXferName() + "): " +
                         DicomImage::getString(image.getStatus()));
  DecodedPixels out;
  out.width = static_cast<int>(image.getWidth());
  out.height = static_cast<int>(image.getHeight());
  out.frames = static_cast<int>(image.getFrameCount());
  if (out.width <= 0 || out.height <= 0 || out.frames <= 0) return makeError(ErrorCode::Corrupt, "image has no size");
  const std::size_t perFrame = static_cast<std::size_t>(out.width) * out.height;
  const std::size_t count = perFrame * out.frames;

  if (!image.isMonochrome()) {
    if (header.bitsAllocated > 16)
      return makeError(ErrorCode::Unsupported, "colour with " + std::to_string(header.bitsAllocated) +
                                                   "-bit samples is not supported (Meridian keeps 8 or 16 bits)");
    out.channels = 3;
    const int bits = header.bitsAllocated > 8 ? 16 : 8;
    out.type = bits == 16 ? PixelType::UInt16 : PixelType::UInt8;
    const std::size_t frameBytes = perFrame * 3 * (bits / 8);
    out.bytes.resize(frameBytes * out.frames);
    for (int f = 0; f < out.frames; ++f)
      if (!image.getOutputData(out.bytes.data() + frameBytes * f, frameBytes, bits, f, 0))
        return makeError(ErrorCode::Corrupt, "cannot decode colour frame " + std::to_string(f));
    return out;
  }
  const DiPixel* inter = image.getInterData();
  if (!inter || !inter->getData() || inter->getCount() < count)
    return makeError(ErrorCode::Corrupt, "decoder returned fewer pixels than the header promises");
  const void* data = inter->getData();
  switch (inter->getRepresentation()) {
    case EPR_Uint8: return rescaleMonochrome(static_cast<const Uint8*>(data), count, header, std::move(out));
    case EPR_Sint8: return rescaleMonochrome(static_cast<const Sint8*>(data), count, header, std::move(out));
    case EPR_Uint16: return rescaleMonochrome(static_cast<const Uint16*>(data), count, header, std::move(out));
    case EPR_Sint16: return rescaleMonochrome(static_cast<const Sint16*>(data), count, header, std::move(out));
    case EPR_Uint32: return rescaleMonochrome(static_cast<const Uint32*>(data), count, header, std::move(out));
    case EPR_Sint32: return rescaleMonochrome(static_cast<const Sint32*>(data), count, header, std::move(out));
  }
  return makeError(ErrorCode::Unsupported, "unknown pixel representation");
}

}  // namespace meridian::io::detail
