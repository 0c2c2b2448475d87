#pragma once
// DICOM pixel decoding through DCMTK, shared by the single-file reader and the series
// loader. Private to meridian_core_io.

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/LookupTable.hpp"
#include "meridian/core/PixelType.hpp"
#include "meridian/core/Result.hpp"

class DcmFileFormat;
class DcmItem;
class DcmTagKey;
class OFCondition;

namespace meridian::io::detail {

/// A string attribute of a dataset or directory record ("" when absent).
std::string dicomText(DcmItem& item, const DcmTagKey& tag);

/// A DCMTK load failure in words a user can act on.
core::Error parseError(const OFCondition& status);

/// Registers DCMTK's JPEG, JPEG-LS and RLE decoders once per process.
void registerDicomCodecs();

/// True when the transfer syntax is one DCMTK's free build cannot decode (JPEG 2000).
bool needsJpeg2000(const DcmFileFormat& file);

/// True for a file without the 128-byte preamble and "DICM" that DCMTK still parses as a
/// dataset with a SOP Class UID or image attributes.
bool looksLikeBareDicom(const std::filesystem::path& path);

/// Loads a DICOM file (header and pixels), checking the pixel data against the header.
core::Result<std::unique_ptr<DcmFileFormat>> loadDicomFile(const std::filesystem::path& path);

struct DicomScanNotes;

/// Loads a DICOM file's header, for describing it without its pixels: the checks of
/// loadDicomFile (structure walk, lengths against the file size, native pixel data as long
/// as the header says, JPEG frames from SOI to EOI), with values over 4 KB left on disk.
/// A deflated data set is read up to its Pixel Data only (the structure walk has inflated
/// the rest through a fixed buffer); one with trailing padding is read up to the padding,
/// as loadDicomFile reads it. `notes` tells where native pixels lie in the file.
core::Result<std::unique_ptr<DcmFileFormat>> loadDicomHeader(const std::filesystem::path& path, DicomScanNotes& notes);

/// The attributes Meridian reads from a DICOM image header.
struct DicomImageHeader {
  int rows = 0, columns = 0, frames = 1, samplesPerPixel = 1, bitsAllocated = 0;
  int bitsStored = 0, highBit = 0, pixelRepresentation = 0;  // 0 when absent
  std::string photometric, modality, sopClassUid, seriesUid, studyUid;
  double rescaleSlope = 1.0, rescaleIntercept = 0.0;
  std::optional<std::array<double, 2>> pixelSpacing;      // (column, row) spacing in mm
  std::optional<std::array<double, 3>> position;          // ImagePositionPatient of frame 0
  std::optional<std::array<double, 6>> orientation;       // ImageOrientationPatient (row dir, column dir)
  std::vector<std::array<double, 3>> framePositions;      // enhanced multi-frame, per frame
  std::optional<double> sliceThickness, spacingBetweenSlices;
  std::optional<std::array<double, 2>> window;            // centre, width
  std::vector<std::array<double, 2>> windows;             // every centre/width pair the file offers
  bool modalityLut = false;                               // a Modality LUT Sequence replaces slope/intercept
  std::vector<core::LookupTable> voiLuts;                 // VOI LUT Sequence items
};
/// `pixelDataLoaded` false: the file was read only up to Pixel Data (series indexing).
core::Result<DicomImageHeader> readImageHeader(DcmFileFormat& file, bool pixelDataLoaded = true);

/// Refuses headers whose pixels could not fit in a file of `fileBytes`, before decoding.
core::Status checkDecodedSize(const DicomImageHeader& header, std::uint64_t fileBytes);

/// Decoded pixels of every frame: rescaled values for monochrome (Int16 when the result
/// is integral and fits, UInt8 for plain 8-bit, else Float32), RGB for colour
/// (YBR and palette converted, interleaved). Frames follow each other.
struct DecodedPixels {
  int width = 0, height = 0, frames = 0, channels = 1;
  core::PixelType type = core::PixelType::Int16;
  std::vector<std::uint8_t> bytes;
};
core::Result<DecodedPixels> decodePixels(DcmFileFormat& file, const DicomImageHeader& header);

/// The type decodePixels gives monochrome pixels whose rescaled values span [min, max]:
/// UInt8 for plain 8-bit samples (`uint8Stored`, slope 1, intercept 0), else Int16 or UInt16
/// when slope and intercept are integral and the range fits, else Float32. One rule for
/// decoding and for describing from headers.
core::PixelType monochromeType(const DicomImageHeader& header, bool uint8Stored, double min, double max);

/// True when DCMTK hands a monochrome image's stored values over as 8-bit unsigned.
bool storedAsUint8(const DicomImageHeader& header);

}  // namespace meridian::io::detail
