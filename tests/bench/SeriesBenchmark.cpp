// Loading a CT series of 300 real 512x512 slices: Meridian vs ITK's ImageSeriesReader with
// GDCMImageIO (C++, same process) vs pydicom + NumPy (/usr/bin/python3), uncompressed and
// JPEG-lossless. Medians of N warm runs; ratios are the result. Not a test.
//
//   build/bin/bench_series [runs=5] [slices=300] [meridian-only]
//
// The series is built once (in build/bench-data/) from one real CT slice (pydicom's
// 693_J2KI.dcm, 512x512) repeated at 1 mm steps with shuffled file names and instance
// numbers: real pixels and headers, synthetic only in count and position.

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkImageSeriesReader.h>

#include <algorithm>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "BenchTiming.hpp"
#include "meridian/io/DicomSeries.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using meridian::bench::medianMs;

namespace {

// Writes `slices` copies of the source slice as a series, uncompressed or JPEG lossless.
bool makeSeries(const fs::path& source, const fs::path& dir, int slices, bool jpegLossless) {
  if (fs::exists(dir / ".complete")) return true;
  fs::remove_all(dir);
  fs::create_directories(dir);
  DcmFileFormat src;
  if (src.loadFile(source.c_str()).bad()) return false;
  // Decompress the JPEG 2000 source through GDCM (DCMTK's free build lacks it) by reading
  // its pixels with Meridian, then store them back as native 16-bit stored values.
  auto image = io::ReaderRegistry::builtin().open(source);
  if (!image) return false;
  const auto& hu = std::get<core::Image2D>(image.value().content);
  Float64 slope = 1, intercept = 0;
  src.getDataset()->findAndGetFloat64(DCM_RescaleSlope, slope);
  src.getDataset()->findAndGetFloat64(DCM_RescaleIntercept, intercept);
  std::vector<Uint16> stored(static_cast<std::size_t>(hu.width()) * hu.height());
  for (int y = 0; y < hu.height(); ++y)
    for (int x = 0; x < hu.width(); ++x)
      stored[static_cast<std::size_t>(y) * hu.width() + x] =
          static_cast<Uint16>(std::lround((hu.valueAt(x, y) - intercept) / slope));
  std::vector<int> order(slices);
  for (int i = 0; i < slices; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(5));
  char uid[100];
  const std::string seriesUid = dcmGenerateUniqueIdentifier(uid, SITE_SERIES_UID_ROOT);
  for (int i = 0; i < slices; ++i) {
    DcmFileFormat out(src);
    DcmDataset* ds = out.getDataset();
    ds->putAndInsertUint16Array(DCM_PixelData, stored.data(), static_cast<unsigned long>(stored.size()));
    ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
    ds->putAndInsertString(DCM_SeriesInstanceUID, seriesUid.c_str());
    ds->putAndInsertString(DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT));
    ds->putAndInsertString(DCM_InstanceNumber, std::to_string(order[i] + 1).c_str());
    const std::string position = "-122.5\\-112.4\\" + std::to_string(47.0 + order[i]);
    ds->putAndInsertString(DCM_ImagePositionPatient, position.c_str());
    const E_TransferSyntax xfer = jpegLossless ? EXS_JPEGProcess14SV1 : EXS_LittleEndianExplicit;
    if (jpegLossless) {
      DJ_RPLossless params;
      if (ds->chooseRepresentation(xfer, &params).bad()) return false;
    }
    const fs::path file = dir / ("slice-" + std::to_string(i) + ".dcm");
    if (out.saveFile(file.c_str(), xfer).bad()) return false;
  }
  std::FILE* done = std::fopen((dir / ".complete").c_str(), "w");
  if (done) std::fclose(done);
  return true;
}

bool loadWithMeridian(const fs::path& dir) {
  auto index = io::indexDicomFolder(dir);
  if (!index || index.value().size() != 1) return false;
  return io::loadDicomSeries(index.value().front()).ok();
}

using ItkVolume = itk::Image<short, 3>;

ItkVolume::Pointer readWithItk(const fs::path& dir) {
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetDirectory(dir.string());
  const auto uids = names->GetSeriesUIDs();
  if (uids.size() != 1) return nullptr;
  auto reader = itk::ImageSeriesReader<ItkVolume>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(names->GetFileNames(uids.front()));
  reader->Update();
  return reader->GetOutput();
}

// The benchmark is only meaningful if both produce the same volume: compare every voxel
// (ITK orders slices along the normal too, so index k is the same slice in both).
bool sameVoxels(const fs::path& dir) {
  auto index = io::indexDicomFolder(dir);
  auto ours = io::loadDicomSeries(index.value().front());
  auto theirs = readWithItk(dir);
  if (!ours || !theirs || ours.value().volume.pixelType() != core::PixelType::Int16) return false;
  const auto& v = ours.value().volume;
  const auto size = theirs->GetLargestPossibleRegion().GetSize();
  if (size[0] != static_cast<unsigned>(v.size()[0]) || size[2] != static_cast<unsigned>(v.size()[2])) return false;
  return std::memcmp(theirs->GetBufferPointer(), v.data(), v.sizeInBytes()) == 0;
}

bool loadWithItk(const fs::path& dir) {
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetDirectory(dir.string());
  const auto uids = names->GetSeriesUIDs();
  if (uids.size() != 1) return false;
  using Reader = itk::ImageSeriesReader<itk::Image<short, 3>>;
  auto reader = Reader::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileNames(names->GetFileNames(uids.front()));
  reader->Update();
  return reader->GetOutput()->GetLargestPossibleRegion().GetSize()[2] > 0;
}

double pydicomMs(const fs::path& script, const fs::path& dir, int runs) {
  const std::string cmd = "/usr/bin/python3 '" + script.string() + "' '" + dir.string() + "' " + std::to_string(runs);
  std::FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return -1;
  double ms = -1;
  if (std::fscanf(pipe, "%lf", &ms) != 1) ms = -1;
  pclose(pipe);
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(3, std::atoi(argv[1])) : 5;
  const int slices = argc > 2 ? std::max(2, std::atoi(argv[2])) : 300;
  const bool onlyMeridian = argc > 3 && std::string(argv[3]) == "meridian-only";  // for profiling
  DJEncoderRegistration::registerCodecs();
  const fs::path source = "/usr/lib/python3/dist-packages/pydicom/data/test_files/693_J2KI.dcm";
  const fs::path root = fs::path(MERIDIAN_BENCH_DATA) / ("series-" + std::to_string(slices));
  const fs::path script = fs::path(MERIDIAN_BENCH_SOURCE) / "series_pydicom.py";
  std::printf("%d slices of 512x512 CT; median of %d warm runs (ms)\n", slices, runs);
  std::printf("%-18s %10s %10s %10s %10s %10s\n", "series", "Meridian", "ITK", "pydicom", "ITK/Mer", "pyd/Mer");
  for (const bool jpeg : {false, true}) {
    const fs::path dir = root / (jpeg ? "jpeg-lossless" : "uncompressed");
    if (!makeSeries(source, dir, slices, jpeg)) {
      std::fprintf(stderr, "bench_series: cannot build %s\n", dir.c_str());
      return 1;
    }
    const double ours = medianMs(runs, [&] { return loadWithMeridian(dir); });
    if (!onlyMeridian) std::printf("%-18s   voxels equal to ITK's: %s\n", jpeg ? "JPEG lossless" : "uncompressed",
                                    sameVoxels(dir) ? "yes" : "NO");
    const double indexOnly = medianMs(runs, [&] { return io::indexDicomFolder(dir).ok(); });
    const double itk = onlyMeridian ? -1 : medianMs(runs, [&] { return loadWithItk(dir); });
    const double py = jpeg || onlyMeridian ? -1 : pydicomMs(script, dir, runs);  // pydicom alone cannot decode JPEG lossless
    std::printf("%-18s %10.1f %10.1f %10s %9.2fx %10s\n", jpeg ? "JPEG lossless" : "uncompressed", ours, itk,
                py > 0 ? std::to_string(static_cast<int>(py)).c_str() : "n/a", itk / ours,
                py > 0 ? (std::to_string(py / ours).substr(0, 4) + "x").c_str() : "n/a");
    std::printf("%-18s   (of which indexing the folder: %.1f ms)\n", "", indexOnly);
  }
  return 0;
}
