#include "meridian/model/EmbeddingCache.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "meridian/core/AtomicFile.hpp"
#include "meridian/core/FileHash.hpp"
#include "meridian/core/UserPaths.hpp"
#include "meridian/model/Preprocessor.hpp"
#include "meridian/model/VitModel.hpp"

namespace meridian::model {

namespace fs = std::filesystem;

namespace {

// Entry layout (host byte order, little-endian on every platform Meridian builds for):
//   "MEREMB01" | key digest, 64 hex chars | uint32 count | float32[count] | SHA-256 hex of all before
constexpr char kMagic[8] = {'M', 'E', 'R', 'E', 'M', 'B', '0', '1'};
constexpr std::size_t kDigestChars = 64;
constexpr std::size_t kHeaderBytes = sizeof(kMagic) + kDigestChars + sizeof(std::uint32_t);
constexpr std::uint32_t kMaxDimension = 1 << 16;
// Bump when preprocessImage's arithmetic changes, so old embeddings are not reused.
// v2 (issue 19): a windowless CT in HU through the CT windows in any/grayscale models too, other
// windowless non-8-bit images through their 0.5..99.5 percentiles (v1: minimum..maximum).
constexpr const char* kPreprocessorVersion = "letterbox-triangle-v2";

}  // namespace

std::string EmbeddingKey::digest() const {
  return core::sha256OfBytes(imageSha256 + '|' + modelSha256 + '|' + preprocessSha256);
}

std::string preprocessSha256(const PreprocessConfig& config, int inputSize) {
  std::ostringstream text;
  text.precision(9);
  text << kPreprocessorVersion << "|size " << inputSize << "|modality " << toString(config.modality) << "|windows";
  for (const auto& window : config.ctWindows) text << ' ' << window.center << '/' << window.width;
  text << "|mean " << config.mean[0] << ' ' << config.mean[1] << ' ' << config.mean[2];
  text << "|std " << config.std[0] << ' ' << config.std[1] << ' ' << config.std[2];
  text << "|pad " << config.padValue;
  return core::sha256OfBytes(text.str());
}

EmbeddingCache::EmbeddingCache(fs::path directory) : directory_(std::move(directory)) {}

fs::path EmbeddingCache::defaultDirectory() {
  return core::userDataDirectory() / "cache" / "embeddings";
}

fs::path EmbeddingCache::entryPath(const EmbeddingKey& key) const {
  const auto digest = key.digest();
  return directory_ / digest.substr(0, 2) / (digest + ".emb");  // 256 sub-folders keep listings short
}

EmbeddingCache::Lookup EmbeddingCache::find(const EmbeddingKey& key, std::vector<float>& embedding) const {
  const auto path = entryPath(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Lookup::Missing;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < kHeaderBytes + kDigestChars || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return Lookup::Corrupt;
  if (bytes.compare(sizeof(kMagic), kDigestChars, key.digest()) != 0) return Lookup::Corrupt;
  std::uint32_t count = 0;
  std::memcpy(&count, bytes.data() + sizeof(kMagic) + kDigestChars, sizeof(count));
  const std::size_t payloadEnd = kHeaderBytes + std::size_t{count} * sizeof(float);
  if (count == 0 || count > kMaxDimension || bytes.size() != payloadEnd + kDigestChars) return Lookup::Corrupt;
  if (bytes.compare(payloadEnd, kDigestChars, core::sha256OfBytes(std::string_view(bytes.data(), payloadEnd))) != 0)
    return Lookup::Corrupt;
  embedding.resize(count);
  std::memcpy(embedding.data(), bytes.data() + kHeaderBytes, std::size_t{count} * sizeof(float));
  return Lookup::Hit;
}

core::Status EmbeddingCache::store(const EmbeddingKey& key, const std::vector<float>& embedding) const {
  if (embedding.empty() || embedding.size() > kMaxDimension)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "embedding cache: refusing an embedding of size " + std::to_string(embedding.size()));
  std::string bytes(kMagic, sizeof(kMagic));
  bytes += key.digest();
  const auto count = static_cast<std::uint32_t>(embedding.size());
  bytes.append(reinterpret_cast<const char*>(&count), sizeof(count));
  bytes.append(reinterpret_cast<const char*>(embedding.data()), embedding.size() * sizeof(float));
  bytes += core::sha256OfBytes(bytes);
  const auto path = entryPath(key);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    return core::makeError(core::ErrorCode::Io,
                           path.parent_path().string() + ": cannot create the embedding cache folder: " + ec.message());
  return core::writeFileAtomically(path, bytes);
}

core::Result<EmbeddedImages> embedImages(const VitModel& model, const std::string& modelSha256,
                                         const std::vector<fs::path>& paths, const ImageLoader& load,
                                         const EmbeddingCache* cache, const core::JobControl& job, int batchSize,
                                         const std::vector<std::string>& knownSha256) {
  if (!knownSha256.empty() && knownSha256.size() != paths.size())
    return core::makeError(core::ErrorCode::InvalidArgument, "embedImages: one known content hash per path, or none");
  const int inputSize = model.config().imageSize;
  const std::string preprocessHash = preprocessSha256(model.preprocessConfig(), inputSize);
  EmbeddedImages out;
  out.embeddings.resize(paths.size());
  out.contentSha256.resize(paths.size());

  // Pass 1: hash every file and take what the cache has.
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (job.cancelled()) return core::makeError(core::ErrorCode::Cancelled, "embedding cancelled");
    auto hash = knownSha256.empty() || knownSha256[i].empty() ? core::sha256OfFile(paths[i])
                                                              : core::Result<std::string>(knownSha256[i]);
    if (!hash) return hash.error();
    out.contentSha256[i] = hash.value();
    if (cache != nullptr) {
      const auto lookup = cache->find({hash.value(), modelSha256, preprocessHash}, out.embeddings[i]);
      if (lookup == EmbeddingCache::Lookup::Hit) {
        ++out.fromCache;
        continue;
      }
      if (lookup == EmbeddingCache::Lookup::Corrupt) ++out.corruptReplaced;
    }
    pending.push_back(i);
  }

  // Pass 2: run the model on the rest in batches, storing each result.
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t first = 0; first < pending.size(); first += static_cast<std::size_t>(batchSize)) {
    if (job.cancelled()) return core::makeError(core::ErrorCode::Cancelled, "embedding cancelled");
    const std::size_t last = std::min(pending.size(), first + static_cast<std::size_t>(batchSize));
    InputBatch batch{static_cast<int>(last - first), inputSize, inputSize, {}};
    batch.data.reserve(static_cast<std::size_t>(batch.batch) * 3 * inputSize * inputSize);
    for (std::size_t k = first; k < last; ++k) {
      const auto& path = paths[pending[k]];
      auto image = load(path);
      if (!image) return core::makeError(image.error().code, path.string() + ": " + image.error().message);
      auto input = preprocessImage(image.value(), inputSize, model.preprocessConfig());
      if (!input) return core::makeError(input.error().code, path.string() + ": " + input.error().message);
      batch.data.insert(batch.data.end(), input.value().chw.begin(), input.value().chw.end());
    }
    auto predictions = model.predict(batch);
    if (!predictions) return predictions.error();
    for (std::size_t k = first; k < last; ++k) {
      const auto row = pending[k];
      out.embeddings[row] = std::move(predictions.value()[k - first].embedding);
      ++out.computed;
      if (cache != nullptr) {
        auto stored = cache->store({out.contentSha256[row], modelSha256, preprocessHash}, out.embeddings[row]);
        if (!stored) return stored.error();
      }
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    core::JobProgress progress{"embedding", last, pending.size(), -1.0, ""};
    progress.etaSeconds = elapsed / static_cast<double>(last) * static_cast<double>(pending.size() - last);
    progress.detail = std::to_string(out.fromCache) + " from the cache";
    job.report(progress);
  }
  return out;
}

}  // namespace meridian::model
