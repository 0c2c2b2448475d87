// Meridian's readers vs ITK's ImageFileReader (the peer most C++ imaging code uses) on the
// same real files, in the same process. Medians of N runs, warm page cache; ratios, not
// absolute times, are the result. Not a test: timing never gates CI.
//
//   build/bin/bench_readers [runs=9]

#include <itkBMPImageIOFactory.h>
#include <itkGDCMImageIOFactory.h>
#include <itkImageFileReader.h>
#include <itkJPEGImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkPNGImageIOFactory.h>
#include <itkVectorImage.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "BenchTiming.hpp"
#include "meridian/io/ReaderRegistry.hpp"

using namespace meridian;
using meridian::bench::medianMs;

namespace {

template <class Pixel, unsigned Dim>
void itkRead(const std::string& path) {
  using Image = itk::VectorImage<Pixel, Dim>;
  auto reader = itk::ImageFileReader<Image>::New();
  reader->SetFileName(path);
  reader->Update();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(3, std::atoi(argv[1])) : 9;
  itk::JPEGImageIOFactory::RegisterOneFactory();
  itk::PNGImageIOFactory::RegisterOneFactory();
  itk::GDCMImageIOFactory::RegisterOneFactory();
  itk::NiftiImageIOFactory::RegisterOneFactory();
  itk::BMPImageIOFactory::RegisterOneFactory();

  const std::string skimage = "/usr/lib/python3/dist-packages/skimage/data/";
  const std::string pydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";
  const std::string demo = MERIDIAN_BENCH_DEMO_DATA;
  struct Case {
    std::string name, path;
    std::function<void(const std::string&)> peer;
  };
  const std::vector<Case> cases = {
      {"JPEG fundus 1411x1411 RGB", skimage + "retina.jpg", itkRead<unsigned char, 2>},
      {"PNG IHC 512x512 RGB", skimage + "ihc.png", itkRead<unsigned char, 2>},
      {"DICOM CT 128x128", pydicom + "CT_small.dcm", itkRead<float, 2>},
      {"NIfTI.gz CT 128x128x256", demo + "/ct-abdomen-stent.nii.gz", itkRead<short, 3>},
  };
  std::printf("%-28s %12s %12s %8s   (median of %d runs)\n", "file", "Meridian ms", "ITK ms", "ratio", runs);
  for (const auto& c : cases) {
    bool ok = true;
    const double ours = medianMs(runs, [&] { ok &= io::ReaderRegistry::builtin().open(c.path).ok(); });
    const double peer = medianMs(runs, [&] { c.peer(c.path); });
    std::printf("%-28s %12.2f %12.2f %7.2fx%s\n", c.name.c_str(), ours, peer, peer / ours, ok ? "" : "  (Meridian FAILED)");
  }
  std::printf("ratio = ITK time / Meridian time (above 1: Meridian faster)\n");
  return 0;
}
