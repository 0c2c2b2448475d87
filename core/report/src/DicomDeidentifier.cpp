#include "meridian/report/DicomDeidentifier.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "BasicProfile.hpp"
#include "DateShift.hpp"
#include "DicomFileWrite.hpp"
#include "UidRemapper.hpp"
#include "meridian/report/SlideDeidentifier.hpp"

namespace meridian::report {
namespace fs = std::filesystem;
using core::ErrorCode;
using core::makeError;
using detail::ProfileAction;

namespace {

std::vector<std::string> splitValues(const std::string& value) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = value.find('\\', start);
    parts.push_back(value.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

std::string joinValues(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "\\" : "") + parts[i];
  return out;
}

bool isStringVr(DcmEVR vr) {
  switch (vr) {
    case EVR_AE:
    case EVR_AS:
    case EVR_CS:
    case EVR_DA:
    case EVR_DS:
    case EVR_DT:
    case EVR_IS:
    case EVR_LO:
    case EVR_LT:
    case EVR_PN:
    case EVR_SH:
    case EVR_ST:
    case EVR_TM:
    case EVR_UC:
    case EVR_UR:
    case EVR_UT:
    case EVR_UI:
      return true;
    default:
      return false;
  }
}

bool isNumberVr(DcmEVR vr) {
  switch (vr) {
    case EVR_US:
    case EVR_SS:
    case EVR_UL:
    case EVR_SL:
    case EVR_FL:
    case EVR_FD:
    case EVR_SV:
    case EVR_UV:
      return true;
    default:
      return false;
  }
}

/// A value of the element's VR that identifies no one (the profile's "D").
const char* dummyFor(DcmEVR vr) {
  switch (vr) {
    case EVR_DA:
      return "19000101";
    case EVR_DT:
      return "19000101000000";
    case EVR_TM:
      return "000000";
    case EVR_AS:
      return "000Y";
    case EVR_DS:
    case EVR_IS:
      return "0";
    case EVR_AE:
      return "ANONYMOUS";
    default:
      return "ANONYMIZED";
  }
}

bool fileHasPart10Preamble(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.seekg(128);
  return in.read(magic, 4) && std::memcmp(magic, "DICM", 4) == 0;
}

}  // namespace

struct DicomDeidentifier::Impl {
  DeidOptions options;
  detail::UidRemapper uids;

  void replaceUids(DcmElement& element) {
    OFString value;
    if (element.getOFStringArray(value).bad() || value.empty()) return;
    auto parts = splitValues(value.c_str());
    for (auto& uid : parts) {
      // UIDs are padded with NUL to an even length; trailing spaces also appear in the wild.
      while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.pop_back();
      if (!uid.empty()) uid = uids.remap(uid);
    }
    element.putString(joinValues(parts).c_str());
  }

  bool shiftDates(DcmElement& element, DcmEVR vr) {
    const int days = *options.dateShiftDays;
    if (vr != EVR_DA && vr != EVR_DT && vr != EVR_TM) return false;
    OFString value;
    if (element.getOFStringArray(value).bad()) return false;
    if (value.empty()) return true;
    if (vr == EVR_TM)  // the option moves days; a valid time of day stays as it is
      return std::all_of(value.begin(), value.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == ' ' || c == '\\';
      });
    auto parts = splitValues(value.c_str());
    for (auto& part : parts) {
      while (!part.empty() && part.back() == ' ') part.pop_back();
      auto shifted = vr == EVR_DA ? detail::shiftDate(part, days) : detail::shiftDateTime(part, days);
      if (!shifted) return false;
      part = *shifted;
    }
    return element.putString(joinValues(parts).c_str()).good();
  }

  void giveDummy(DcmElement& element, DcmEVR vr) {
    if (vr == EVR_UI) return replaceUids(element);
    if (isStringVr(vr) || isNumberVr(vr)) {
      if (element.putString(isNumberVr(vr) ? "0" : dummyFor(vr)).good()) return;
    }
    element.clear();  // binary values (OB, OW, UN, ...): nothing identifying is left
  }

  /// Applies the profile to every attribute of `item` and, through sequences, to every item below it.
  void clean(DcmItem& item) {
    // Backwards, so removing an element leaves the ones still to visit where they were.
    for (unsigned long i = item.card(); i-- > 0;) {
      DcmElement* element = item.getElement(i);
      if (!element) continue;
      const DcmTagKey key = element->getTag();
      const DcmEVR vr = element->ident();
      const detail::ProfileRule rule = detail::basicProfileRule(key.getGroup(), key.getElement());
      if (rule.shiftableDate && options.dateShiftDays && shiftDates(*element, vr)) continue;
      ProfileAction action = detail::resolve(rule.action);
      if (rule.shiftableDate && options.dateShiftDays && action == ProfileAction::Keep) action = ProfileAction::Zero;
      if (vr == EVR_SQ) {
        auto* sequence = static_cast<DcmSequenceOfItems*>(element);
        switch (action) {
          case ProfileAction::Remove:
            delete item.remove(element);
            break;
          case ProfileAction::Zero:
          case ProfileAction::Dummy:
            // An empty sequence: Meridian does not build per-IOD dummy items, and an empty
            // sequence can carry nothing identifying.
            sequence->clear();
            break;
          default:  // Keep, KeepWithUids (U*), Uid: the items are cleaned one by one
            for (unsigned long j = 0; j < sequence->card(); ++j)
              if (DcmItem* child = sequence->getItem(j)) clean(*child);
        }
        continue;
      }
      switch (action) {
        case ProfileAction::Keep:
        case ProfileAction::KeepWithUids:
          break;
        case ProfileAction::Remove:
          delete item.remove(element);
          break;
        case ProfileAction::Zero:
          element->clear();
          break;
        case ProfileAction::Dummy:
          giveDummy(*element, vr);
          break;
        case ProfileAction::Uid:
          if (vr == EVR_UI)
            replaceUids(*element);
          else
            element->clear();
          break;
        default:
          delete item.remove(element);
      }
    }
  }

  /// PS3.15 E.1.1: say in the file that it was de-identified, and how.
  void markDeidentified(DcmDataset& dataset) {
    const bool shifted = options.dateShiftDays.has_value();
    dataset.putAndInsertString(DCM_PatientIdentityRemoved, "YES");
    // LO: at most 64 characters a value; the code sequence below says the same in codes.
    dataset.putAndInsertString(DCM_DeidentificationMethod,
                               shifted ? "PS3.15 Annex E Basic Profile, Modified Dates (Meridian)"
                                       : "PS3.15 Annex E Basic Profile (Meridian)");
    dataset.findAndDeleteElement(DCM_DeidentificationMethodCodeSequence);
    auto addCode = [&](const char* value, const char* meaning) {
      DcmItem* code = nullptr;
      if (dataset.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, code, -2).good() && code) {
        code->putAndInsertString(DCM_CodeValue, value);
        code->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
        code->putAndInsertString(DCM_CodeMeaning, meaning);
      }
    };
    addCode("113100", "Basic Application Confidentiality Profile");
    if (shifted) addCode("113107", "Retain Longitudinal Temporal Information Modified Dates Option");
    dataset.putAndInsertString(DCM_LongitudinalTemporalInformationModified, shifted ? "MODIFIED" : "REMOVED");
  }

  core::Result<fs::path> write(const fs::path& input, const fs::path& outputDirOrFile, bool intoFolder) {
    if (!fs::is_regular_file(input)) return makeError(ErrorCode::NotFound, input.string() + ": no such file");
    if (!fileHasPart10Preamble(input))
      return makeError(ErrorCode::Unsupported,
                       input.string() + ": not a DICOM Part 10 file (no 'DICM' after the preamble)");
    DcmFileFormat file;
    if (OFCondition c = file.loadFile(input.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_fileOnly);
        c.bad())
      return makeError(ErrorCode::Corrupt, input.string() + ": DCMTK cannot read it: " + c.text());
    DcmDataset& dataset = *file.getDataset();
    OFString sopClass;
    file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sopClass);
    if (sopClass == UID_MediaStorageDirectoryStorage)
      return makeError(ErrorCode::Unsupported,
                       input.string() +
                           ": a DICOMDIR indexes the original files by path and name; it is not "
                           "copied (de-identify the image files it lists)");
    OFString burnedIn;
    if (dataset.findAndGetOFString(DCM_BurnedInAnnotation, burnedIn).good() && burnedIn == "YES")
      return makeError(ErrorCode::Unsupported,
                       input.string() +
                           ": Burned In Annotation is YES: text drawn into the pixels (often the "
                           "patient's name or ID) cannot be removed by de-identifying attributes, so the "
                           "file was not exported");
    const E_TransferSyntax xfer = dataset.getOriginalXfer();
    clean(dataset);
    markDeidentified(dataset);

    fs::path target = outputDirOrFile;
    if (intoFolder) {
      OFString series, sop;
      dataset.findAndGetOFString(DCM_SeriesInstanceUID, series);
      dataset.findAndGetOFString(DCM_SOPInstanceUID, sop);
      if (sop.empty()) return makeError(ErrorCode::Corrupt, input.string() + ": no SOP Instance UID");
      target = outputDirOrFile / (series.empty() ? std::string("no-series") : std::string(series.c_str())) /
               (std::string(sop.c_str()) + ".dcm");
    }
    std::error_code ec;
    if (fs::exists(target, ec) && fs::equivalent(target, input, ec))
      return makeError(ErrorCode::InvalidArgument,
                       target.string() + " is the input file; a de-identified copy never replaces its original");
    if (auto saved = detail::saveDicomAtomically(file, target, xfer); !saved) return saved.error();
    return target;
  }
};

DicomDeidentifier::DicomDeidentifier(DeidOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}
DicomDeidentifier::~DicomDeidentifier() = default;

core::Status DicomDeidentifier::writeTo(const fs::path& input, const fs::path& output) {
  auto written = impl_->write(input, output, false);
  if (!written) return written.error();
  return core::Ok{};
}

core::Result<fs::path> DicomDeidentifier::writeInto(const fs::path& input, const fs::path& outputDir) {
  return impl_->write(input, outputDir, true);
}

std::size_t DicomDeidentifier::uidsReplaced() const {
  return impl_->uids.size();
}

core::Result<DeidSummary> deidentify(const fs::path& input, const fs::path& output, const DeidOptions& options,
                                     const core::JobControl* job) {
  std::error_code ec;
  if (!fs::exists(input, ec)) return makeError(ErrorCode::NotFound, input.string() + ": no such file or folder");
  DicomDeidentifier deidentifier(options);
  DeidSummary summary;
  if (fs::is_regular_file(input) && looksLikeTiff(input)) {
    // A whole slide: the copy leaves out its label and macro images. Into a folder it is named
    // slide<extension>, nothing of the original name (which often holds a patient's name).
    const fs::path target =
        fs::is_directory(output, ec) ? output / ("slide" + input.extension().string()) : output;
    auto slide = writeSlideWithoutLabel(input, target);
    if (!slide) return slide.error();
    summary.written.push_back(target);
    return summary;
  }
  if (fs::is_regular_file(input)) {
    if (fs::is_directory(output, ec)) {
      auto written = deidentifier.writeInto(input, output);
      if (!written) return written.error();
      summary.written.push_back(written.value());
    } else {
      if (auto status = deidentifier.writeTo(input, output); !status) return status.error();
      summary.written.push_back(output);
    }
    summary.uidsReplaced = deidentifier.uidsReplaced();
    return summary;
  }
  // A folder: refuse an output inside it (a second run would read the copies as inputs) or
  // the folder itself.
  const fs::path in = fs::weakly_canonical(input, ec);
  const fs::path out = fs::weakly_canonical(output, ec);
  const auto mismatch = std::mismatch(in.begin(), in.end(), out.begin(), out.end());
  if (mismatch.first == in.end())
    return makeError(ErrorCode::InvalidArgument,
                     output.string() + " is inside the input folder " + input.string() +
                         "; choose an output folder outside it so the originals and the copies stay apart");
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(input, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) files.push_back(it->path());
  if (ec) return makeError(ErrorCode::Io, input.string() + ": cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (job && job->cancelled()) return makeError(ErrorCode::Cancelled, "de-identification cancelled");
    if (!fileHasPart10Preamble(files[i])) {
      ++summary.notDicom;
    } else if (auto written = deidentifier.writeInto(files[i], output)) {
      summary.written.push_back(written.value());
    } else {
      summary.refused.emplace_back(files[i], written.error());
    }
    if (job) job->report({"files", i + 1, files.size(), -1, {}});
  }
  summary.uidsReplaced = deidentifier.uidsReplaced();
  return summary;
}

}  // namespace meridian::report
