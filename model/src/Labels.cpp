#include "meridian/model/Labels.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <sys/stat.h>

#include "meridian/core/FileHash.hpp"
#include "meridian/core/RegularFile.hpp"

namespace meridian::model {

namespace fs = std::filesystem;

namespace {

// A labels list with a million rows is about 100 MB; nothing real is larger.
constexpr std::uintmax_t kMaxLabelsCsvBytes = 256ull << 20;

core::Error bad(const fs::path& csv, int line, const std::string& message) {
  return core::makeError(core::ErrorCode::InvalidArgument,
                         csv.string() + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + message);
}

struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;
};

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

/// RFC 4180: fields separated by commas, optionally quoted; inside quotes a doubled quote
/// is a quote and commas and line breaks are data. Blank lines are skipped. Unquoted
/// fields are trimmed (spreadsheets add spaces after commas).
core::Result<std::vector<CsvRecord>> parseCsv(const std::string& text, const fs::path& csv) {
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  bool inQuotes = false, fieldQuoted = false, recordQuoted = false;
  int line = 1, recordLine = 1;
  auto endField = [&] {
    record.fields.push_back(fieldQuoted ? field : trim(field));
    field.clear();
    fieldQuoted = false;
  };
  auto endRecord = [&] {
    endField();
    const bool blank = record.fields.size() == 1 && record.fields[0].empty() && !recordQuoted;
    if (!blank) {
      record.line = recordLine;
      records.push_back(std::move(record));
    }
    record = CsvRecord{};
    recordQuoted = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inQuotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        inQuotes = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"') {
      if (fieldQuoted || !trim(field).empty())
        return bad(csv, line, "a quote inside an unquoted field (quote the whole field, double inner quotes)");
      field.clear();
      inQuotes = fieldQuoted = recordQuoted = true;
    } else if (c == ',') {
      endField();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      endRecord();
      recordLine = ++line;
    } else if (fieldQuoted) {
      if (c != ' ' && c != '\t') return bad(csv, line, "text after a closing quote");
    } else {
      field += c;
    }
  }
  if (inQuotes) return bad(csv, recordLine, "a quoted field is not closed");
  endRecord();
  return records;
}

// What makes two listed paths the same image: the file itself (device and inode, so
// symlinks and hard links count), or for a file that does not exist its normalised
// absolute path ("x.png", "./x.png" and "x//x.png" are one).
std::string fileIdentity(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0)
    return "inode " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return "path " + (ec ? path.lexically_normal().string() : canonical.string());
}

}  // namespace

std::vector<int> LabelSet::classIndices() const {
  std::vector<int> out;
  out.reserve(images.size());
  for (const auto& image : images)
    out.push_back(static_cast<int>(std::lower_bound(classes.begin(), classes.end(), image.label) - classes.begin()));
  return out;
}

std::vector<std::string> LabelSet::patients() const {
  std::vector<std::string> out;
  if (!hasPatients) return out;
  for (const auto& image : images) out.push_back(image.patient);
  return out;
}

std::vector<std::size_t> LabelSet::classCounts() const {
  std::vector<std::size_t> counts(classes.size());
  for (int c : classIndices()) ++counts[static_cast<std::size_t>(c)];
  return counts;
}

LabelSet LabelSet::subset(const std::vector<std::size_t>& rows) const {
  LabelSet out;
  out.source = source;
  out.classes = classes;
  out.hasPatients = hasPatients;
  for (auto row : rows) out.images.push_back(images.at(row));
  return out;
}

core::Result<LabelSet> readLabelsCsv(const fs::path& csv, const LabelCsvOptions& options) {
  // A FIFO would block forever and /dev/zero never end.
  auto regular = core::checkRegularFile(csv);
  if (!regular) {
    if (regular.error().code != core::ErrorCode::NotFound) return regular.error();
    return core::makeError(core::ErrorCode::NotFound, csv.string() + ": cannot open the labels file");
  }
  if (regular.value().size > kMaxLabelsCsvBytes)
    return bad(csv, 0, std::to_string(regular.value().size) + " bytes; labels lists are read whole, up to " +
                           std::to_string(kMaxLabelsCsvBytes >> 20) + " MB");
  std::ifstream in(csv, std::ios::binary);
  if (!in) return core::makeError(core::ErrorCode::NotFound, csv.string() + ": cannot open the labels file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 BOM (Excel writes one)

  auto records = parseCsv(text, csv);
  if (!records) return records.error();
  if (records.value().empty()) return bad(csv, 0, "empty; expected a header line path,label[,patient]");

  // Header: path and label required, patient optional, in any order; nothing else.
  const auto& header = records.value().front();
  int pathColumn = -1, labelColumn = -1, patientColumn = -1;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = header.fields[i];
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    int* column = name == "path"      ? &pathColumn
                  : name == "label"   ? &labelColumn
                  : name == "patient" ? &patientColumn
                                      : nullptr;
    if (column == nullptr)
      return bad(csv, header.line, "unknown column '" + header.fields[i] + "'; the header is path,label[,patient]");
    if (*column >= 0) return bad(csv, header.line, "column '" + name + "' appears twice");
    *column = static_cast<int>(i);
  }
  if (pathColumn < 0 || labelColumn < 0)
    return bad(
        csv, header.line,
        std::string("no '") + (pathColumn < 0 ? "path" : "label") + "' column; the header is path,label[,patient]");

  LabelSet set;
  set.source = csv;
  set.hasPatients = patientColumn >= 0;
  const fs::path base = csv.has_parent_path() ? csv.parent_path() : fs::path(".");
  std::map<std::string, int> seenFiles;  // identity -> line
  std::vector<std::string> missing;
  for (std::size_t r = 1; r < records.value().size(); ++r) {
    const auto& record = records.value()[r];
    if (record.fields.size() != header.fields.size())
      return bad(
          csv, record.line,
          std::to_string(record.fields.size()) + " fields, the header has " + std::to_string(header.fields.size()));
    LabelledImage image;
    image.line = record.line;
    image.relativePath = record.fields[static_cast<std::size_t>(pathColumn)];
    image.label = record.fields[static_cast<std::size_t>(labelColumn)];
    if (set.hasPatients) image.patient = record.fields[static_cast<std::size_t>(patientColumn)];
    if (image.relativePath.empty()) return bad(csv, record.line, "empty path");
    if (image.label.empty()) return bad(csv, record.line, "empty label for " + image.relativePath);
    if (set.hasPatients && image.patient.empty())
      return bad(csv, record.line,
                 "empty patient for " + image.relativePath + " (the patient column is filled or absent)");
    const fs::path given(image.relativePath);
    image.path = given.is_absolute() ? given.lexically_normal() : (base / given).lexically_normal();
    // The same image under two names would sit on both sides of a train/held-out split
    // and inflate the held-out metrics: refused whatever the spelling or link.
    const auto [first, inserted] = seenFiles.emplace(fileIdentity(image.path), record.line);
    if (!inserted)
      return bad(csv, record.line,
                 image.relativePath + " is the same image as line " + std::to_string(first->second) +
                     " (listed twice, perhaps under another name or through a link)");
    std::error_code ec;
    if (options.requireFiles && !fs::is_regular_file(image.path, ec))
      missing.push_back("line " + std::to_string(record.line) + ": " + image.path.string());
    set.images.push_back(std::move(image));
  }
  if (!missing.empty()) {
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 5; ++i) list += "\n  " + missing[i];
    if (missing.size() > 5) list += "\n  ... and " + std::to_string(missing.size() - 5) + " more";
    return core::makeError(core::ErrorCode::NotFound, csv.string() + ": " + std::to_string(missing.size()) +
                                                          " listed image(s) do not exist:" + list);
  }
  if (set.images.empty()) return bad(csv, 0, "no labelled images after the header");

  std::set<std::string> classes;
  for (const auto& image : set.images) classes.insert(image.label);
  set.classes.assign(classes.begin(), classes.end());
  if (options.requireTwoClasses && set.classes.size() < 2)
    return bad(csv, 0, "every image has the label '" + set.classes.front() + "': at least two classes are needed");
  const auto counts = set.classCounts();
  for (std::size_t c = 0; c < counts.size(); ++c)
    if (counts[c] < options.minPerClass)
      return bad(csv, 0,
                 "class '" + set.classes[c] + "' has " + std::to_string(counts[c]) + " labelled image(s); at least " +
                     std::to_string(options.minPerClass) + " per class are needed");
  return set;
}

core::Result<std::vector<int>> classIndicesIn(const LabelSet& set, const std::vector<std::string>& classes) {
  std::map<std::string, int> index;
  for (std::size_t i = 0; i < classes.size(); ++i) index[classes[i]] = static_cast<int>(i);
  std::vector<int> out;
  for (const auto& image : set.images) {
    const auto it = index.find(image.label);
    if (it == index.end()) {
      std::string known;
      for (const auto& c : classes) known += (known.empty() ? "" : ", ") + c;
      return core::makeError(core::ErrorCode::InvalidArgument,
                             set.source.string() + ":" + std::to_string(image.line) + ": label '" + image.label +
                                 "' is not one of the model's classes (" + known + ")");
    }
    out.push_back(it->second);
  }
  return out;
}

std::string labelListSha256(const LabelSet& set, const std::vector<std::string>& contentSha256) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < set.images.size(); ++i) {
    const auto& image = set.images[i];
    lines.push_back(image.relativePath + '\t' + (i < contentSha256.size() ? contentSha256[i] : std::string()) + '\t' +
                    image.label + '\t' + image.patient + '\n');
  }
  std::sort(lines.begin(), lines.end());
  std::string all;
  for (const auto& line : lines) all += line;
  return core::sha256OfBytes(all);
}

}  // namespace meridian::model
