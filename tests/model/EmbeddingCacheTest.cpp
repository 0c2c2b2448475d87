// The embedding cache: keyed storage, corruption detected and recomputed, and the embed
// pass over real tiles (skimage's IHC image) served from the cache the second time.
#include <gtest/gtest.h>

#include "IhcTiles.hpp"
#include "TempDir.hpp"
#include "meridian/model/EmbeddingCache.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::model {
namespace {

const EmbeddingKey kKey{std::string(64, 'a'), std::string(64, 'b'), std::string(64, 'c')};

TEST(EmbeddingCache, StoresAndFindsByTheFullKey) {
  test::TempDir dir;
  const EmbeddingCache cache(dir.path());
  ASSERT_TRUE(cache.store(kKey, {1.0f, -2.5f, 3.25f}).ok());
  std::vector<float> found;
  ASSERT_EQ(cache.find(kKey, found), EmbeddingCache::Lookup::Hit);
  EXPECT_EQ(found, (std::vector<float>{1.0f, -2.5f, 3.25f}));
  for (auto other : {EmbeddingKey{std::string(64, 'x'), kKey.modelSha256, kKey.preprocessSha256},
                     EmbeddingKey{kKey.imageSha256, std::string(64, 'x'), kKey.preprocessSha256},
                     EmbeddingKey{kKey.imageSha256, kKey.modelSha256, std::string(64, 'x')}})
    EXPECT_EQ(cache.find(other, found), EmbeddingCache::Lookup::Missing);
  EXPECT_TRUE(cache.entryPath(kKey).string().find(dir.path().string()) == 0);
}

TEST(EmbeddingCache, CorruptOrTruncatedEntriesAreDetected) {
  test::TempDir dir;
  const EmbeddingCache cache(dir.path());
  ASSERT_TRUE(cache.store(kKey, std::vector<float>(64, 0.5f)).ok());
  const auto path = cache.entryPath(kKey);
  const auto good = test::readBytes(path);
  std::vector<float> found;

  auto flipped = good;
  flipped[100] = static_cast<char>(flipped[100] ^ 0x10);  // inside the floats
  test::writeBytes(path, flipped);
  EXPECT_EQ(cache.find(kKey, found), EmbeddingCache::Lookup::Corrupt);
  test::writeBytes(path, good.substr(0, good.size() - 7));
  EXPECT_EQ(cache.find(kKey, found), EmbeddingCache::Lookup::Corrupt);
  test::writeBytes(path, "");
  EXPECT_EQ(cache.find(kKey, found), EmbeddingCache::Lookup::Corrupt);
  test::writeBytes(path, good);
  EXPECT_EQ(cache.find(kKey, found), EmbeddingCache::Lookup::Hit);
}

TEST(EmbeddingCache, PreprocessHashFollowsTheSettings) {
  PreprocessConfig a;
  PreprocessConfig b = a;
  b.mean[1] = 0.5f;
  EXPECT_NE(preprocessSha256(a, 224), preprocessSha256(b, 224));
  EXPECT_NE(preprocessSha256(a, 224), preprocessSha256(a, 256));
  EXPECT_EQ(preprocessSha256(a, 224), preprocessSha256(PreprocessConfig{}, 224));
}

TEST(EmbeddingCacheIhc, SecondPassComesFromTheCacheAndACorruptEntryIsRecomputed) {
  auto labels = readLabelsCsv(test::ihcTilesDir() / "labels.csv");
  ASSERT_TRUE(labels.ok()) << labels.error().describe();
  std::vector<std::filesystem::path> paths;
  for (std::size_t i = 0; i < 40; ++i) paths.push_back(labels.value().images[i].path);
  auto model = VitModel::create(test::tinyVitConfig(), 17);
  ASSERT_TRUE(model.ok()) << model.error().describe();
  test::TempDir dir;
  const EmbeddingCache cache(dir.path());

  std::size_t reports = 0;
  core::JobControl job([&](const core::JobProgress& p) {
    ++reports;
    EXPECT_EQ(p.stage, "embedding");
  });
  const auto first = embedImages(*model.value(), "model-sha", paths, test::readPpm, &cache, job, 16);
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(first.value().computed, 40u);
  EXPECT_EQ(first.value().fromCache, 0u);
  EXPECT_EQ(reports, 3u);  // batches of 16, 16, 8
  ASSERT_EQ(first.value().embeddings[0].size(), 48u);

  // Corrupt one entry: it is recomputed, the others come from the cache, values identical.
  const EmbeddingKey key{first.value().contentSha256[5], "model-sha",
                         preprocessSha256(model.value()->preprocessConfig(), 32)};
  test::writeBytes(cache.entryPath(key), "garbage");
  const auto second = embedImages(*model.value(), "model-sha", paths, test::readPpm, &cache, {}, 16);
  ASSERT_TRUE(second.ok()) << second.error().describe();
  EXPECT_EQ(second.value().fromCache, 39u);
  EXPECT_EQ(second.value().computed, 1u);
  EXPECT_EQ(second.value().corruptReplaced, 1u);
  // Cached entries are bit-identical; the recomputed one ran in a batch of 1 instead of 16,
  // which changes BLAS's summation order (float rounding only).
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (i != 5) {
      EXPECT_EQ(second.value().embeddings[i], first.value().embeddings[i]);
      continue;
    }
    ASSERT_EQ(second.value().embeddings[i].size(), first.value().embeddings[i].size());
    for (std::size_t d = 0; d < first.value().embeddings[i].size(); ++d)
      EXPECT_NEAR(second.value().embeddings[i][d], first.value().embeddings[i][d], 1e-4);
  }

  // Another model hash misses everything.
  const auto other = embedImages(*model.value(), "other-model", {paths[0]}, test::readPpm, &cache, {}, 16);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other.value().computed, 1u);

  // A cancelled job stops with Cancelled.
  core::JobControl cancelled;
  cancelled.cancel();
  const auto stopped = embedImages(*model.value(), "model-sha", paths, test::readPpm, &cache, cancelled, 16);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code, core::ErrorCode::Cancelled);
}

TEST(EmbeddingCacheIhc, AnUnreadableImageNamesTheFile) {
  test::TempDir dir;
  test::writeBytes(dir / "bad.ppm", "P6\n4 4\n255\nxx");
  auto model = VitModel::create(test::tinyVitConfig(), 1).value();
  const auto result = embedImages(*model, "m", {dir / "bad.ppm"}, test::readPpm, nullptr, {}, 4);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("bad.ppm"), std::string::npos) << result.error().message;
}

}  // namespace
}  // namespace meridian::model
