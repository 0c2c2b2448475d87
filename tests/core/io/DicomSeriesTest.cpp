// Series indexing and loading on pydicom's dicomdirtests tree: real DICOM headers (from
// real CT, MR and CR studies) with 16x16 pixels.

#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcdicdir.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "TestData.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;

namespace {
const fs::path kTree = testdata::kPydicom / "dicomdirtests";

io::DicomSeriesInfo seriesIn(const std::string& folder) {
  auto index = io::indexDicomFolder(kTree / folder);
  EXPECT_TRUE(index.ok());
  EXPECT_EQ(index.value().size(), 1u) << folder;
  return index.value().front();
}
}  // namespace

TEST(DicomSeries, IndexFindsWhatPydicomFinds) {
  auto index = io::indexDicomFolder(kTree);
  ASSERT_TRUE(index.ok()) << index.error().describe();
  // pydicom 2.3.1 over the same tree (dcmread with stop_before_pixels, files with Rows,
  // grouped by SeriesInstanceUID): 13 series holding 31 image files.
  EXPECT_EQ(index.value().size(), 13u);
  std::size_t files = 0;
  for (const auto& s : index.value()) files += s.files.size();
  EXPECT_EQ(files, 31u);
  const auto ct5 = std::find_if(index.value().begin(), index.value().end(),
                                [](const io::DicomSeriesInfo& s) { return s.files.size() == 5; });
  ASSERT_NE(ct5, index.value().end());
  EXPECT_EQ(ct5->modality, "CT");
  EXPECT_EQ(ct5->rows, 16);
}

TEST(DicomSeries, SlicesAreOrderedByPositionNotFileName) {
  auto loaded = io::loadDicomSeries(seriesIn("98892001/CT5N"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  const core::Volume& v = loaded.value().volume;
  EXPECT_EQ(v.size(), (std::array<int, 3>{16, 16, 5}));
  EXPECT_NEAR(v.spacing[0], 0.488281, 1e-6);
  EXPECT_NEAR(v.spacing[2], 2.5, 1e-4);
  // Headers: z = 8.7625, 6.2625, ... -1.2375 in file-name order; the volume runs upwards.
  EXPECT_NEAR(v.origin[2], -1.2375, 1e-4);
  EXPECT_NEAR(v.indexToPhysical({0, 0, 4})[2], 8.7625, 1e-4);
  EXPECT_TRUE(loaded.value().warnings.empty());
  // Every slice equals the file at its position, decoded on its own.
  for (const auto& file : seriesIn("98892001/CT5N").files) {
    auto single = io::ReaderRegistry::builtin().open(file);
    ASSERT_TRUE(single.ok());
    const auto& image = std::get<core::Image2D>(single.value().content);
    bool matched = false;
    for (int k = 0; k < 5 && !matched; ++k) {
      bool same = true;
      for (int y = 0; y < 16 && same; ++y)
        for (int x = 0; x < 16 && same; ++x) same = image.valueAt(x, y) == v.valueAt(x, y, k);
      matched = same;
    }
    EXPECT_TRUE(matched) << file;
  }
}

TEST(DicomSeries, IrregularSpacingIsReported) {
  // Real CT headers: one slice at z = -99.48, then three at 103.02, 104.27, 105.52. The
  // 202.5 mm gap holds 161 slices at the 1.25 mm the others keep: incomplete, said first.
  auto loaded = io::loadDicomSeries(seriesIn("77654033/CT2"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  ASSERT_EQ(loaded.value().warnings.size(), 2u);
  EXPECT_NE(loaded.value().warnings[0].find("incomplete series: 161 slices are missing"), std::string::npos)
      << loaded.value().warnings[0];
  EXPECT_NE(loaded.value().warnings[1].find("irregular slice spacing"), std::string::npos);
  EXPECT_TRUE(loaded.value().layout.irregularSpacing);
  EXPECT_EQ(loaded.value().layout.missingPositions.size(), 161u);
  EXPECT_NEAR(loaded.value().layout.missingPositions.front()[2], -99.48 + 202.5 / 162, 0.01);
  EXPECT_NEAR(loaded.value().volume.spacing[2], 1.25, 1e-3);
}

TEST(DicomSeries, SlicesOfDifferentOrientationsAreNotAVolume) {
  auto loaded = io::loadDicomSeries(seriesIn("98892003/MR700"));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("different orientations"), std::string::npos) << loaded.error().message;
}

TEST(DicomSeries, MissingFolderAndEmptySeriesFail) {
  EXPECT_FALSE(io::indexDicomFolder("/nonexistent-meridian-folder").ok());
  EXPECT_FALSE(io::loadDicomSeries(io::DicomSeriesInfo{}).ok());
}

TEST(DicomSeries, DicomDirListsTheSameSeriesAsAFolderScan) {
  ASSERT_TRUE(io::isDicomDir(kTree / "DICOMDIR"));
  EXPECT_FALSE(io::isDicomDir(testdata::kPydicom / "CT_small.dcm"));
  auto fromDir = io::indexDicomDir(kTree / "DICOMDIR");
  ASSERT_TRUE(fromDir.ok()) << fromDir.error().describe();
  auto fromScan = io::indexDicomFolder(kTree);
  ASSERT_TRUE(fromScan.ok());
  ASSERT_EQ(fromDir.value().size(), fromScan.value().size());
  for (std::size_t i = 0; i < fromDir.value().size(); ++i) {
    auto a = fromDir.value()[i].files, b = fromScan.value()[i].files;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(fromDir.value()[i].seriesUid, fromScan.value()[i].seriesUid);
    EXPECT_EQ(a, b);
    EXPECT_EQ(fromDir.value()[i].rows, 16);
  }
}

TEST(DicomSeries, BrokenDicomDirsAreRefused) {
  const auto absent = io::indexDicomDir(kTree / "no-such-DICOMDIR");
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, core::ErrorCode::NotFound);
  // The real DICOMDIR copied away from the files it lists: refused, saying so.
  const fs::path lonely = fs::path(testing::TempDir()) / "lonely-dicomdir";
  fs::create_directories(lonely);
  fs::copy_file(kTree / "DICOMDIR", lonely / "DICOMDIR", fs::copy_options::overwrite_existing);
  const auto orphaned = io::indexDicomDir(lonely / "DICOMDIR");
  ASSERT_FALSE(orphaned.ok());
  EXPECT_NE(orphaned.error().message.find("none of which exist beside it"), std::string::npos)
      << orphaned.error().message;
}

TEST(DicomSeries, AnEmptyDicomDirListsNothing) {
  // pydicom ships a DICOMDIR with no records at all: a valid directory of nothing, not an error.
  auto empty = io::indexDicomDir(kTree / "DICOMDIR-empty.dcm");
  ASSERT_TRUE(empty.ok()) << empty.error().describe();
  EXPECT_TRUE(empty.value().empty());
}

TEST(DicomSeries, DemoSeriesEqualsTheSameCtAsNifti) {
  // make-demo-data.sh writes one real CT twice: as NIfTI and as 256 DICOM slices with
  // shuffled file names. Loading the series must give the NIfTI's voxels and geometry.
  auto index = io::indexDicomFolder(testdata::kDemo / "ct-abdomen-stent-dicom");
  ASSERT_TRUE(index.ok());
  ASSERT_EQ(index.value().size(), 1u);
  auto series = io::loadDicomSeries(index.value().front());
  ASSERT_TRUE(series.ok()) << series.error().describe();
  auto nifti = io::ReaderRegistry::builtin().open(testdata::kDemo / "ct-abdomen-stent.nii.gz");
  ASSERT_TRUE(nifti.ok());
  const auto& a = series.value().volume;
  const auto& b = std::get<core::Volume>(nifti.value().content);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.spacing, b.spacing);
  EXPECT_EQ(a.origin, b.origin);
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(a.direction[i], b.direction[i], 1e-12);
  ASSERT_EQ(a.pixelType(), b.pixelType());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.sizeInBytes()));
}

namespace {
// Writes copies of pydicom's CT_small.dcm (a real CT slice) at the given positions: the
// synthetic part is only the geometry, which is what these tests are about.
io::DicomSeriesInfo writeSeries(const std::string& name, const std::vector<std::array<double, 3>>& positions) {
  const fs::path dir = fs::path(testing::TempDir()) / ("meridian-series-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (std::size_t i = 0; i < positions.size(); ++i) {
    DcmFileFormat file;
    EXPECT_TRUE(file.loadFile((testdata::kPydicom / "CT_small.dcm").c_str()).good());
    char uid[100];
    file.getDataset()->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid));
    file.getDataset()->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
    const auto& p = positions[i];
    const std::string position = std::to_string(p[0]) + "\\" + std::to_string(p[1]) + "\\" + std::to_string(p[2]);
    file.getDataset()->putAndInsertString(DCM_ImagePositionPatient, position.c_str());
    EXPECT_TRUE(file.saveFile((dir / ("s" + std::to_string(i) + ".dcm")).c_str(), EXS_LittleEndianExplicit).good());
  }
  auto index = io::indexDicomFolder(dir);
  EXPECT_TRUE(index.ok());
  EXPECT_EQ(index.value().size(), 1u);
  return index.value().front();
}
}  // namespace

TEST(DicomSeries, GantryTiltIsReported) {
  // Slices 2 mm apart along z, each shifted 2 * tan(15 deg) mm along y: a 15 degree tilt.
  std::vector<std::array<double, 3>> positions;
  for (int k = 0; k < 6; ++k) positions.push_back({0.0, 2.0 * k * std::tan(15.0 * M_PI / 180.0), 2.0 * k});
  auto loaded = io::loadDicomSeries(writeSeries("tilt", positions));
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  ASSERT_EQ(loaded.value().warnings.size(), 1u);
  EXPECT_NE(loaded.value().warnings[0].find("gantry tilt of 15.0"), std::string::npos) << loaded.value().warnings[0];
  EXPECT_NEAR(loaded.value().volume.spacing[2], 2.0, 1e-6);
}

TEST(DicomSeries, TwoSlicesAtOnePositionAreRefused) {
  auto loaded = io::loadDicomSeries(writeSeries("duplicate", {{0, 0, 0}, {0, 0, 1}, {0, 0, 1}}));
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("same position"), std::string::npos) << loaded.error().message;
}

namespace {

// The JPEG-LS stream's own frame header (SOF55) of `file`'s first fragment, set to `rows` x
// `columns`, so that stream and DICOM header tell the same (inflated) story.
void setJpegFrameSize(DcmFileFormat& file, Uint16 rows, Uint16 columns) {
  DcmElement* element = nullptr;
  ASSERT_TRUE(file.getDataset()->findAndGetElement(DCM_PixelData, element).good());
  DcmPixelSequence* seq = nullptr;
  const DcmRepresentationParameter* param = nullptr;
  ASSERT_TRUE(static_cast<DcmPixelData*>(element)
                  ->getEncapsulatedRepresentation(file.getDataset()->getOriginalXfer(), param, seq)
                  .good());
  DcmPixelItem* item = nullptr;
  Uint8* bytes = nullptr;
  ASSERT_TRUE(seq->getItem(item, 1).good() && item->getUint8Array(bytes).good());
  for (Uint32 i = 0; i + 9 < item->getLength(); ++i)
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xF7) {
      bytes[i + 5] = rows >> 8, bytes[i + 6] = rows & 0xFF, bytes[i + 7] = columns >> 8, bytes[i + 8] = columns & 0xFF;
      return;
    }
  FAIL() << "no SOF55 in the JPEG-LS stream";
}

}  // namespace

TEST(DicomSeries, HeaderClaimingGigapixelsIsRefusedBeforeDecoding) {
  // A real JPEG-LS file with Rows, Columns and Number of Frames inflated (in the DICOM header
  // and the JPEG-LS frame header alike): refuse, do not allocate.
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile((testdata::kPydicom / "MR_small_jpeg_ls_lossless.dcm").c_str()).good());
  file.getDataset()->putAndInsertUint16(DCM_Rows, 60000);
  file.getDataset()->putAndInsertUint16(DCM_Columns, 60000);
  file.getDataset()->putAndInsertString(DCM_NumberOfFrames, "50");
  setJpegFrameSize(file, 60000, 60000);
  const fs::path bomb = fs::path(testing::TempDir()) / "meridian-bomb.dcm";
  ASSERT_TRUE(file.saveFile(bomb.c_str(), file.getDataset()->getOriginalXfer()).good());
  auto r = io::ReaderRegistry::builtin().open(bomb);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("MiB of pixels"), std::string::npos) << r.error().message;
}

TEST(DicomSeries, JpegFrameSmallerThanTheHeaderIsRefused) {
  // Found by fuzz_dicom: DCMTK sizes each frame from Rows x Columns and leaves what the stream
  // does not cover zero, so a 64x64 stream under a header of 64x640 opened as a mostly-black
  // image. The frame header of the stream must agree with the DICOM header.
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile((testdata::kPydicom / "MR_small_jpeg_ls_lossless.dcm").c_str()).good());
  file.getDataset()->putAndInsertUint16(DCM_Rows, 640);
  const fs::path lie = fs::path(testing::TempDir()) / "meridian-jpeg-rows-640.dcm";
  ASSERT_TRUE(file.saveFile(lie.c_str(), file.getDataset()->getOriginalXfer()).good());
  auto r = io::ReaderRegistry::builtin().open(lie);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("holds a 64x64 image of 1 component(s) where the DICOM header says 64x640"),
            std::string::npos)
      << r.error().message;
  setJpegFrameSize(file, 640, 64);  // the check reads the stream's frame header: edited to agree, it passes
  ASSERT_TRUE(file.saveFile(lie.c_str(), file.getDataset()->getOriginalXfer()).good());
  auto summary = io::ReaderRegistry::builtin().describe(lie);
  ASSERT_TRUE(summary.ok()) << summary.error().describe();
}

TEST(DicomSeries, ASliceWithShortPixelDataIsLeftOutAndReportedNotOverread) {
  // The series fast path reads the raw pixel words: a slice whose Pixel Data holds half of
  // what Rows x Columns promise must be refused before that read, and reported as an
  // unreadable member (the series is incomplete), not dropped silently.
  auto series = writeSeries("short-pixels", {{0, 0, 0}, {0, 0, 1}});
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(series.files.back().c_str()).good());
  std::vector<Uint16> half(128 * 64, 100);
  file.getDataset()->putAndInsertUint16Array(DCM_PixelData, half.data(), static_cast<unsigned long>(half.size()));
  ASSERT_TRUE(file.saveFile(series.files.back().c_str(), EXS_LittleEndianExplicit).good());
  auto loaded = io::loadDicomSeries(series);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_FALSE(loaded.value().complete());
  EXPECT_EQ(loaded.value().volume.size()[2], 1);
  ASSERT_EQ(loaded.value().layout.unreadable.size(), 1u);
  EXPECT_EQ(loaded.value().layout.unreadable[0].file, series.files.back());
  EXPECT_NE(loaded.value().layout.unreadable[0].reason.find("truncated pixel data"), std::string::npos)
      << loaded.value().layout.unreadable[0].reason;
}

namespace {
// Copies of a real slice whose rescale is changed: the pixels stay CT_small's.
io::DicomSeriesInfo writeRescaledSeries(const std::string& name, const char* intercept, const char* slope) {
  auto series = writeSeries(name, {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}});
  for (const auto& f : series.files) {
    DcmFileFormat file;
    EXPECT_TRUE(file.loadFile(f.c_str()).good());
    file.loadAllDataIntoMemory();  // saved over itself below
    file.getDataset()->putAndInsertString(DCM_RescaleIntercept, intercept);
    file.getDataset()->putAndInsertString(DCM_RescaleSlope, slope);
    EXPECT_TRUE(file.saveFile(f.c_str(), EXS_LittleEndianExplicit).good());
  }
  return series;
}

// Every voxel of the series equals its slice read alone (the single-file reader is exact).
void expectEqualsSingleFiles(const io::LoadedSeries& loaded) {
  const auto& v = loaded.volume;
  for (int k = 0; k < v.size()[2]; ++k) {
    auto single = io::ReaderRegistry::builtin().open(loaded.layout.orderedFiles[k]);
    ASSERT_TRUE(single.ok());
    const auto& image = std::get<core::Image2D>(single.value().content);
    double worst = 0;
    for (int y = 0; y < image.height(); ++y)
      for (int x = 0; x < image.width(); ++x) worst = std::max(worst, std::abs(image.valueAt(x, y) - v.valueAt(x, y, k)));
    EXPECT_EQ(worst, 0.0) << "slice " << k;
  }
}
}  // namespace

TEST(DicomSeries, RescaledValuesBeyondInt16AreExactNotClipped) {
  // CT_small's stored values reach ~2000: an intercept of 32000 takes them past 32767
  // (clipped before issue 13), all still within 0..65535: an exact uint16 volume.
  auto loaded = io::loadDicomSeries(writeRescaledSeries("uint16", "32000", "1"));
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_EQ(loaded.value().volume.pixelType(), core::PixelType::UInt16);
  EXPECT_GT(loaded.value().volume.valueRange()[1], 32767.0);
  expectEqualsSingleFiles(loaded.value());
  // Slope 40: beyond both 16-bit types, float32 holds them exactly.
  auto wide = io::loadDicomSeries(writeRescaledSeries("wide", "-1024", "40"));
  ASSERT_TRUE(wide.ok()) << wide.error().describe();
  EXPECT_EQ(wide.value().volume.pixelType(), core::PixelType::Float32);
  expectEqualsSingleFiles(wide.value());
  // Ordinary CT stays int16.
  auto ct = io::loadDicomSeries(writeRescaledSeries("int16", "-1024", "1"));
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ct.value().volume.pixelType(), core::PixelType::Int16);
}

namespace {
// pydicom's DICOMDIR copied beside its tree, with the first image record's Referenced File
// ID replaced by `reference`.
fs::path dicomDirReferencing(const std::string& name, const std::string& reference) {
  const fs::path dir = fs::path(testing::TempDir()) / ("meridian-dicomdir-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(kTree, dir, fs::copy_options::recursive);
  // Through DcmDicomDir, which rewrites the records' offsets when their lengths change.
  DcmDicomDir dicomdir((dir / "DICOMDIR").c_str());
  EXPECT_TRUE(dicomdir.error().good());
  DcmDirectoryRecord& root = dicomdir.getRootRecord();
  DcmDirectoryRecord* patient = root.nextSub(nullptr);
  DcmDirectoryRecord* study = patient ? patient->nextSub(nullptr) : nullptr;
  DcmDirectoryRecord* series = study ? study->nextSub(nullptr) : nullptr;
  DcmDirectoryRecord* image = series ? series->nextSub(nullptr) : nullptr;
  EXPECT_NE(image, nullptr);
  if (image) EXPECT_TRUE(image->putAndInsertString(DCM_ReferencedFileID, reference.c_str()).good());
  EXPECT_TRUE(dicomdir.write().good());
  return dir / "DICOMDIR";
}
}  // namespace

TEST(DicomSeries, DicomDirReferencesOutsideItsFolderAreRefused) {
  // Another "patient" beside the DICOMDIR's folder that a hostile reference points at.
  for (const auto& [name, reference] : std::vector<std::pair<std::string, std::string>>{
           {"parent", "..\\meridian-dicomdir-parent-other\\CT_small.dcm"},
           {"absolute", "\\tmp\\CT_small.dcm"},
           {"dot", "98892001\\..\\..\\CT_small.dcm"}}) {
    SCOPED_TRACE(name);
    const fs::path other = fs::path(testing::TempDir()) / "meridian-dicomdir-parent-other";
    fs::create_directories(other);
    fs::copy_file(testdata::kPydicom / "CT_small.dcm", other / "CT_small.dcm", fs::copy_options::overwrite_existing);
    auto index = io::indexDicomDir(dicomDirReferencing(name, reference));
    ASSERT_FALSE(index.ok()) << "indexed a file outside the DICOMDIR's folder";
    EXPECT_NE(index.error().message.find("may only name files in its own folder"), std::string::npos)
        << index.error().message;
  }
  // A link inside the folder that points out of it is refused too.
  const fs::path dir = dicomDirReferencing("link", "LINKED\\CT_small.dcm");
  fs::create_directory_symlink(testdata::kPydicom, dir.parent_path() / "LINKED");
  auto linked = io::indexDicomDir(dir);
  ASSERT_FALSE(linked.ok());
  EXPECT_NE(linked.error().message.find("through a link"), std::string::npos) << linked.error().message;
}

TEST(DicomSeries, DicomDirFilesThatAreMissingMakeTheSeriesIncomplete) {
  const fs::path dir = dicomDirReferencing("missing", "98892001\\CT5N\\NOFILE");
  auto index = io::indexDicomDir(dir);
  ASSERT_TRUE(index.ok()) << index.error().describe();
  std::size_t unreadable = 0;
  for (const auto& s : index.value()) unreadable += s.unreadable.size();
  EXPECT_EQ(unreadable, 1u);
}

// A series opened from a listing's headers (inspectDicomSeriesHeaders) gives the volume a
// plain load gives, and its geometry comes from the headers read then: every slice moved 100 mm
// up in its files afterwards is not seen through them (a plain load, which reads the headers
// again, sees it). Decoding still reads each file once for its pixels.
TEST(DicomSeries, HeadersReadOnceOpenTheSameVolumeWithoutReadingThemAgain) {
  const io::DicomSeriesInfo series = writeSeries("read-once", {{0, 0, 0}, {0, 0, 2}, {0, 0, 4}, {0, 0, 6}});
  auto inspected = io::inspectDicomSeriesHeaders(series);
  ASSERT_TRUE(inspected.ok()) << inspected.error().describe();
  EXPECT_EQ(inspected.value().layout.orderedFiles.size(), 4u);
  auto plain = io::loadDicomSeries(series);
  auto reused = io::loadDicomSeries(series, inspected.value());
  ASSERT_TRUE(plain.ok() && reused.ok());
  const core::Volume& a = plain.value().volume;
  const core::Volume& b = reused.value().volume;
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.spacing, b.spacing);
  EXPECT_EQ(a.origin, b.origin);
  ASSERT_EQ(a.pixelType(), b.pixelType());
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.sizeInBytes()));

  for (const auto& file : series.files) {
    DcmFileFormat f;
    ASSERT_TRUE(f.loadFile(file.c_str()).good());
    f.loadAllDataIntoMemory();  // the pixels too, before the file is written over
    Float64 z = 0;
    ASSERT_TRUE(f.getDataset()->findAndGetFloat64(DCM_ImagePositionPatient, z, 2).good());
    const std::string moved = "0\\0\\" + std::to_string(z + 100.0);
    f.getDataset()->putAndInsertString(DCM_ImagePositionPatient, moved.c_str());
    ASSERT_TRUE(f.saveFile(file.c_str(), EXS_LittleEndianExplicit).good());
  }
  auto again = io::loadDicomSeries(series, inspected.value());
  auto fresh = io::loadDicomSeries(series);
  ASSERT_TRUE(fresh.ok()) << fresh.error().describe();
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_NEAR(again.value().volume.origin[2], a.origin[2], 1e-6) << "a header was read again";
  EXPECT_NEAR(fresh.value().volume.origin[2], a.origin[2] + 100.0, 1e-6) << "the move changed nothing";
}
