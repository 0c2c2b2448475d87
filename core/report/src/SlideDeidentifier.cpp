#include "meridian/report/SlideDeidentifier.hpp"

#include <tiffio.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>

namespace meridian::report {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::makeError;

namespace {

struct TiffCloser {
  void operator()(TIFF* tif) const {
    if (tif) TIFFClose(tif);
  }
};
using TiffHandle = std::unique_ptr<TIFF, TiffCloser>;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string descriptionOf(TIFF* tif) {
  char* text = nullptr;
  return TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &text) && text ? std::string(text) : std::string();
}

/// "label" or "macro" when the directory's description says it is one (Aperio: a line that
/// starts with the word; Ventana, Philips and others: "label image", "macro_image", ...), else "".
std::string associatedKind(const std::string& description) {
  const std::string d = lower(description);
  std::istringstream lines(d);
  std::string line;
  while (std::getline(lines, line)) {
    line = trim(line);
    for (const char* kind : {"label", "macro"})
      if (line.rfind(kind, 0) == 0 && (line.size() == 5 || !std::isalpha(static_cast<unsigned char>(line[5]))))
        return kind;
  }
  for (const char* kind : {"label", "macro"})
    for (const char* joint : {" ", "_", ""})
      if (d.find(std::string(kind) + joint + "image") != std::string::npos) return kind;
  return {};
}

/// An Aperio description without the fields that can identify a patient or an operator.
std::string scrubbedDescription(const std::string& description, std::size_t& removed) {
  if (description.rfind("Aperio", 0) != 0) return description;
  static const char* identifying[] = {"filename", "date", "time", "time zone", "user", "barcode", "title",
                                      "patient", "slide", "rack", "scanscope id", "dsr id", "imageid"};
  std::string out;
  std::size_t start = 0;
  bool first = true;
  while (start <= description.size()) {
    const std::size_t bar = description.find('|', start);
    const std::string field = description.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    const std::size_t eq = field.find('=');
    const std::string key = eq == std::string::npos ? std::string() : lower(trim(field.substr(0, eq)));
    const bool drop = !first && std::find(std::begin(identifying), std::end(identifying), key) != std::end(identifying);
    if (drop) ++removed;
    else out += (first ? "" : "|") + field;
    first = false;
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

template <class T>
void copyScalar(TIFF* in, TIFF* out, ttag_t tag) {
  T value{};
  if (TIFFGetField(in, tag, &value)) TIFFSetField(out, tag, value);
}

/// The tags that describe the pixels and their layout; nothing that names people, hosts or times.
core::Status copyTags(TIFF* in, TIFF* out, const std::string& description) {
  for (ttag_t tag : {TIFFTAG_SUBFILETYPE, TIFFTAG_IMAGEWIDTH, TIFFTAG_IMAGELENGTH}) copyScalar<uint32_t>(in, out, tag);
  // Tiles or strips, never both: libtiff turns a RowsPerStrip set on a tiled image into tile sizes.
  if (TIFFIsTiled(in)) {
    for (ttag_t tag : {TIFFTAG_TILEWIDTH, TIFFTAG_TILELENGTH}) copyScalar<uint32_t>(in, out, tag);
  } else {
    copyScalar<uint32_t>(in, out, TIFFTAG_ROWSPERSTRIP);
  }
  for (ttag_t tag : {TIFFTAG_BITSPERSAMPLE, TIFFTAG_SAMPLESPERPIXEL, TIFFTAG_COMPRESSION, TIFFTAG_PHOTOMETRIC,
                     TIFFTAG_PLANARCONFIG, TIFFTAG_ORIENTATION, TIFFTAG_FILLORDER, TIFFTAG_SAMPLEFORMAT,
                     TIFFTAG_PREDICTOR, TIFFTAG_RESOLUTIONUNIT, TIFFTAG_YCBCRPOSITIONING})
    copyScalar<uint16_t>(in, out, tag);
  for (ttag_t tag : {TIFFTAG_XRESOLUTION, TIFFTAG_YRESOLUTION}) copyScalar<float>(in, out, tag);
  uint16_t h = 0, v = 0;
  if (TIFFGetField(in, TIFFTAG_YCBCRSUBSAMPLING, &h, &v)) TIFFSetField(out, TIFFTAG_YCBCRSUBSAMPLING, h, v);
  uint16_t extraCount = 0;
  uint16_t* extra = nullptr;
  if (TIFFGetField(in, TIFFTAG_EXTRASAMPLES, &extraCount, &extra)) TIFFSetField(out, TIFFTAG_EXTRASAMPLES, extraCount, extra);
  float* reference = nullptr;
  if (TIFFGetField(in, TIFFTAG_REFERENCEBLACKWHITE, &reference)) TIFFSetField(out, TIFFTAG_REFERENCEBLACKWHITE, reference);
  uint32_t count = 0;
  void* data = nullptr;
  if (TIFFGetField(in, TIFFTAG_JPEGTABLES, &count, &data)) TIFFSetField(out, TIFFTAG_JPEGTABLES, count, data);
  if (TIFFGetField(in, TIFFTAG_ICCPROFILE, &count, &data)) TIFFSetField(out, TIFFTAG_ICCPROFILE, count, data);
  char* software = nullptr;
  if (TIFFGetField(in, TIFFTAG_SOFTWARE, &software) && software) TIFFSetField(out, TIFFTAG_SOFTWARE, software);
  if (!description.empty()) TIFFSetField(out, TIFFTAG_IMAGEDESCRIPTION, description.c_str());
  return core::Ok{};
}

/// Copies the compressed tiles (or strips) of the current directory as they are.
core::Status copyData(TIFF* in, TIFF* out, const std::string& where) {
  const bool tiled = TIFFIsTiled(in);
  const uint32_t chunks = tiled ? TIFFNumberOfTiles(in) : TIFFNumberOfStrips(in);
  uint64_t* sizes = nullptr;
  if (!TIFFGetField(in, tiled ? TIFFTAG_TILEBYTECOUNTS : TIFFTAG_STRIPBYTECOUNTS, &sizes) || !sizes)
    return makeError(ErrorCode::Corrupt, where + " has no byte counts for its " + (tiled ? "tiles" : "strips"));
  std::vector<unsigned char> buffer;
  for (uint32_t i = 0; i < chunks; ++i) {
    buffer.resize(std::max<uint64_t>(sizes[i], 1));
    const tmsize_t n = sizes[i] == 0 ? 0
                       : tiled       ? TIFFReadRawTile(in, i, buffer.data(), static_cast<tmsize_t>(sizes[i]))
                                     : TIFFReadRawStrip(in, i, buffer.data(), static_cast<tmsize_t>(sizes[i]));
    if (n < 0) return makeError(ErrorCode::Corrupt, where + ": cannot read " + (tiled ? "tile " : "strip ") + std::to_string(i));
    const tmsize_t w = tiled ? TIFFWriteRawTile(out, i, buffer.data(), n) : TIFFWriteRawStrip(out, i, buffer.data(), n);
    if (w != n) return makeError(ErrorCode::Io, where + ": cannot write " + (tiled ? "tile " : "strip ") + std::to_string(i));
  }
  return core::Ok{};
}

}  // namespace

bool looksLikeTiff(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char head[132] = {};
  if (!in.read(reinterpret_cast<char*>(head), 4)) return false;
  // A DICOM file may carry a TIFF header in its 128-byte preamble (a "dual-personality" file):
  // "DICM" after the preamble makes it DICOM, whatever the first bytes say.
  if (in.read(reinterpret_cast<char*>(head) + 4, 128) && std::equal(head + 128, head + 132, "DICM")) return false;
  const bool little = head[0] == 'I' && head[1] == 'I' && (head[2] == 42 || head[2] == 43) && head[3] == 0;
  const bool big = head[0] == 'M' && head[1] == 'M' && head[2] == 0 && (head[3] == 42 || head[3] == 43);
  return little || big;
}

core::Result<SlideDeidSummary> writeSlideWithoutLabel(const fs::path& input, const fs::path& output,
                                                      const core::OutputPolicy& policy) {
  if (!looksLikeTiff(input))
    return makeError(ErrorCode::Unsupported, input.string() +
                                                 ": not a TIFF-based slide; only TIFF slides (Aperio SVS, generic tiled "
                                                 "TIFF, ...) can be exported without their label and macro images");
  TIFFSetWarningHandler(nullptr);  // libtiff's warnings about private tags are not the user's business
  TiffHandle in(TIFFOpen(input.c_str(), "rm"));
  if (!in) return makeError(ErrorCode::Corrupt, input.string() + ": libtiff cannot open it");
  core::OutputPolicy guarded = policy;
  guarded.inputs.push_back(input);
  auto file = core::AtomicFile::create(output, guarded, output.extension().string());
  if (!file) return file.error();
  SlideDeidSummary summary;
  {
    TiffHandle out(TIFFOpen(file.value().temporaryPath().c_str(), TIFFIsBigTIFF(in.get()) ? "w8" : "w"));
    if (!out) return makeError(ErrorCode::Io, output.string() + ": cannot create the TIFF");
    tdir_t index = 0;
    do {
      const std::string where = input.filename().string() + ", directory " + std::to_string(index);
      const std::string description = descriptionOf(in.get());
      const std::string kind = associatedKind(description);
      if (!kind.empty()) {
        summary.dropped.push_back(kind + " (directory " + std::to_string(index) + ")");
        continue;
      }
      uint16_t compression = COMPRESSION_NONE;
      TIFFGetField(in.get(), TIFFTAG_COMPRESSION, &compression);
      if (compression == COMPRESSION_OJPEG)
        return makeError(ErrorCode::Unsupported, where + " uses old-style JPEG, which cannot be copied as it is");
      if (auto tags = copyTags(in.get(), out.get(), scrubbedDescription(description, summary.descriptionFieldsRemoved));
          !tags)
        return tags.error();
      if (auto data = copyData(in.get(), out.get(), where); !data) return data.error();
      if (!TIFFWriteDirectory(out.get())) return makeError(ErrorCode::Io, output.string() + ": cannot write " + where);
      ++summary.directoriesKept;
    } while (++index, TIFFReadDirectory(in.get()));
    if (summary.directoriesKept == 0)
      return makeError(ErrorCode::Corrupt, input.string() + ": every directory is a label or macro image");
    TIFFClose(out.release());  // flushes; a failure shows in commit's checks of the file
  }
  if (auto committed = file.value().commit(); !committed) return committed.error();
  return summary;
}

}  // namespace meridian::report
