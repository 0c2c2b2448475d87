// A checkpoint write that fails (here: the file-size limit, which stops root as well as
// anyone, standing in for a full disk) leaves the previous checkpoint intact and no
// temporary file behind, and the run says so.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "PretrainTestImages.hpp"
#include "TempDir.hpp"
#include "meridian/model/Pretrainer.hpp"

namespace meridian::model::test {
namespace {

std::string readAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Lowers RLIMIT_FSIZE for its lifetime; writes past it fail with EFBIG (SIGXFSZ ignored).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    previousHandler_ = std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &previous_);
    rlimit limit = previous_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &previous_);
    std::signal(SIGXFSZ, previousHandler_);
  }

 private:
  rlimit previous_{};
  void (*previousHandler_)(int) = nullptr;
};

TEST(CheckpointAtomic, FailedWriteLeavesThePreviousCheckpoint) {
  TempDir dir;
  const auto images = realTiles(8);
  auto options = tinyDino();
  options.stopAfterSteps = 1;
  auto backbone = VitModel::create(tinyVit(), 7).value();
  auto trainer = DinoPretrainer::create(*backbone, options, images).value();
  ASSERT_TRUE(trainer->run(core::JobControl{}, dir / "ckpt.safetensors", {}));
  const auto good = readAll(dir / "ckpt.safetensors");
  ASSERT_GT(good.size(), 4096u);

  auto more = options;
  more.stopAfterSteps = 2;
  auto resumed = DinoPretrainer::resume(dir / "ckpt.safetensors", more, images).value();
  core::Result<PretrainSummary> failed = core::makeError(core::ErrorCode::Internal, "not run");
  {
    FileSizeLimit limit(4096);
    failed = resumed->run(core::JobControl{}, dir / "ckpt.safetensors", {});
  }
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("previous one is intact"), std::string::npos) << failed.error().message;
  EXPECT_EQ(readAll(dir / "ckpt.safetensors"), good);
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1) << "a temporary file was left behind";
  auto again = DinoPretrainer::resume(dir / "ckpt.safetensors", more, images);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again.value()->step(), 1);
}

}  // namespace
}  // namespace meridian::model::test
