// describeFile (meridian-cli info) against summarize(open()): on every real file at hand the
// header-only description says what decoding the file says, and refuses what open refuses,
// except damage that only decoding the pixels can reveal.

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "TestData.hpp"
#include "meridian/io/ImageSummary.hpp"
#include "meridian/io/ReaderRegistry.hpp"

namespace fs = std::filesystem;
using namespace meridian;
using namespace meridian::testdata;

namespace {

std::string show(const io::ImageSummary& s) {
  std::ostringstream o;
  auto list = [&](const auto& v) {
    o << "[";
    for (const auto& x : v) o << x << " ";
    o << "]";
  };
  o << io::toString(s.kind) << " " << s.format << " size ";
  list(s.size);
  o << " spacing ";
  if (s.spacing) list(*s.spacing);
  o << " origin ";
  if (s.origin) list(*s.origin);
  o << " direction ";
  if (s.direction) list(*s.direction);
  o << " rescale " << s.rescale[0] << "," << s.rescale[1] << " " << s.dtype << " x" << s.channels << " '" << s.modality
    << "' levels " << s.levels.size();
  if (s.mpp) o << " mpp " << (*s.mpp)[0] << "," << (*s.mpp)[1];
  return o.str();
}

std::vector<fs::path> filesUnder(const fs::path& root, bool recursive) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(root, ec))
      if (e.is_regular_file()) out.push_back(e.path());
  } else {
    for (const auto& e : fs::directory_iterator(root, ec))
      if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Parity {
  int compared = 0, bothRefused = 0;
  std::vector<std::string> problems;
};

// Damage that shows only when pixels are decoded: a describe that accepts it is right.
bool onlyDecodingTells(const std::string& openError) {
  return std::regex_search(openError, std::regex("cannot decode|decoder returned fewer|bad PNG|CRC|ends early"));
}

void compare(const fs::path& file, Parity& parity) {
  const auto& registry = io::ReaderRegistry::builtin();
  if (!registry.find(file)) return;  // not an image file (text, JSON, ...)
  auto opened = registry.open(file);
  auto described = io::describeFile(file);
  if (!opened && !described) {
    ++parity.bothRefused;
    if (opened.error().code != described.error().code)
      parity.problems.push_back(file.string() + ": refused with another code: open '" + opened.error().message +
                                "', describe '" + described.error().message + "'");
    return;
  }
  if (!opened) {
    if (!onlyDecodingTells(opened.error().message))
      parity.problems.push_back(file.string() + ": open refuses (" + opened.error().message + "), describe accepts");
    return;
  }
  if (!described) {
    parity.problems.push_back(file.string() + ": open accepts, describe refuses: " + described.error().message);
    return;
  }
  ++parity.compared;
  const std::string a = show(io::summarize(opened.value())), b = show(described.value());
  if (a != b) parity.problems.push_back(file.string() + ":\n   open     " + a + "\n   describe " + b);
}

std::string report(const Parity& p) {
  std::string out;
  for (const auto& line : p.problems) out += line + "\n";
  return out;
}

}  // namespace

TEST(DescribeFile, SaysWhatDecodingSaysOnEveryDemoFile) {
  Parity parity;
  for (const auto& file : filesUnder(kDemo, true)) compare(file, parity);
  EXPECT_TRUE(parity.problems.empty()) << report(parity);
  EXPECT_GE(parity.compared, 8);  // CT, US cine, fundus, slides, NIfTI, ...
}

TEST(DescribeFile, SaysWhatDecodingSaysOnPydicomsTestFiles) {
  // Every transfer syntax pydicom tests with: native little and big endian, implicit,
  // deflated, RLE, JPEG baseline/lossless/LS/2000, multi-frame, colour, 32-bit dose.
  Parity parity;
  for (const auto& file : filesUnder(kPydicom, false)) compare(file, parity);
  EXPECT_TRUE(parity.problems.empty()) << report(parity);
  EXPECT_GE(parity.compared, 40);
  EXPECT_GE(parity.bothRefused, 1);
}

TEST(DescribeFile, SaysWhatDecodingSaysOnVolumesRastersAndTheCorruptCorpus) {
  Parity parity;
  for (const auto& file : filesUnder(kNibabel, false)) compare(file, parity);
  for (const auto& file : filesUnder(kSkimage, false)) compare(file, parity);
  for (const auto& file : filesUnder(MERIDIAN_TEST_CORRUPT_CORPUS, false)) compare(file, parity);
  EXPECT_TRUE(parity.problems.empty()) << report(parity);
  EXPECT_GE(parity.compared, 20);
  EXPECT_GE(parity.bothRefused, 5);
}

namespace {

// CT_small with Rows x Columns raised to 8192 x 8192 (128 MiB of 16-bit pixels) in a
// deflated data set of about 130 KB: honest, legal, and larger than the address space the
// check below allows.
fs::path writeHugeDeflatedCt() {
  const fs::path out = fs::path(testing::TempDir()) / "meridian-describe-huge-deflated.dcm";
  DcmFileFormat ff;
  EXPECT_TRUE(ff.loadFile((kPydicom / "CT_small.dcm").c_str()).good());
  DcmDataset& ds = *ff.getDataset();
  const Uint16 side = 8192;
  ds.putAndInsertUint16(DCM_Rows, side);
  ds.putAndInsertUint16(DCM_Columns, side);
  std::vector<Uint16> zeros(static_cast<std::size_t>(side) * side, 0);
  EXPECT_TRUE(ds.putAndInsertUint16Array(DCM_PixelData, zeros.data(), zeros.size()).good());
  EXPECT_TRUE(ff.saveFile(out.c_str(), EXS_DeflatedLittleEndianExplicit).good());
  return out;
}

// Runs `body` in a child process limited to `limitMiB` of address space; its exit status.
template <class F>
int inChildWithAddressSpace(std::uint64_t limitMiB, F body) {
  const pid_t pid = fork();
  if (pid == 0) {
    const rlimit limit{limitMiB << 20, limitMiB << 20};
    setrlimit(RLIMIT_AS, &limit);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST(DescribeFile, DescribesAHugeDeflatedImageWithoutAllocatingItsPixels) {
  const fs::path file = writeHugeDeflatedCt();
  ASSERT_LT(fs::file_size(file), 4u << 20);
  // The parent's own address space plus 64 MiB: the 128 MiB of pixels cannot fit.
  std::uint64_t currentMiB = 0;
  {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0;
    statm >> pages;
    currentMiB = pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)) >> 20;
  }
  const std::uint64_t limit = currentMiB + 64;
  const int described = inChildWithAddressSpace(limit, [&] {
    auto s = io::describeFile(file);
    return s && s.value().size == std::vector<std::int64_t>{8192, 8192} && s.value().format == "DICOM" ? 0 : 1;
  });
  EXPECT_EQ(described, 0) << "describeFile under a " << limit << " MiB address-space limit";
  // The control: decoding the same file does need the pixels, and fails under that limit.
  const int opened = inChildWithAddressSpace(limit, [&] {
    auto o = io::ReaderRegistry::builtin().open(file);
    return o ? 0 : 1;
  });
  EXPECT_NE(opened, 0) << "open() fitted in the limit: the check above proves nothing";
}
