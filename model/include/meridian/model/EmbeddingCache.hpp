#pragma once
// Backbone embeddings on disk, so a probe retrains in seconds instead of re-running the
// ViT. One small file per key, key = SHA-256 of (image content SHA-256, model weights
// SHA-256, preprocessing hash): a changed image, model or preprocessing never reuses a
// stale vector. Files are written atomically and carry a checksum; a corrupt or truncated
// entry is treated as missing and recomputed.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Image2D.hpp"
#include "meridian/core/JobControl.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/model/PreprocessConfig.hpp"

namespace meridian::model {

class VitModel;

struct EmbeddingKey {
  std::string imageSha256;
  std::string modelSha256;
  std::string preprocessSha256;
  /// SHA-256 of the three, the entry's file name.
  std::string digest() const;
};

/// Hash of everything that changes the model input: modality, CT windows, mean, std,
/// padding, input size, and the preprocessor's version.
std::string preprocessSha256(const PreprocessConfig& config, int inputSize);

class EmbeddingCache {
 public:
  explicit EmbeddingCache(std::filesystem::path directory);
  /// userDataDirectory()/cache/embeddings ($MERIDIAN_DATA_DIR or XDG data home).
  static std::filesystem::path defaultDirectory();

  const std::filesystem::path& directory() const { return directory_; }

  enum class Lookup { Hit, Missing, Corrupt };
  /// The stored vector, or why there is none (Corrupt: the file exists but fails its checks).
  Lookup find(const EmbeddingKey& key, std::vector<float>& embedding) const;
  /// Writes the entry atomically (temporary file + rename).
  core::Status store(const EmbeddingKey& key, const std::vector<float>& embedding) const;
  /// Where the entry for `key` lives.
  std::filesystem::path entryPath(const EmbeddingKey& key) const;

 private:
  std::filesystem::path directory_;
};

/// Decodes an image file (the caller's reader registry: model/ does not link the readers).
using ImageLoader = std::function<core::Result<core::Image2D>(const std::filesystem::path&)>;

struct EmbeddedImages {
  std::vector<std::vector<float>> embeddings;  // one per path, in order
  std::vector<std::string> contentSha256;      // one per path
  std::size_t fromCache = 0;
  std::size_t computed = 0;
  std::size_t corruptReplaced = 0;  // entries that failed their checks and were recomputed
};

/// Embeds every path with `model` (batches of `batchSize`), through `cache` when given.
/// `modelSha256` identifies the weights (the model card's weights hash). Progress and
/// cancel through `job` (stage "embedding"). `knownSha256` (empty, or one per path; "" =
/// hash the file) gives the content hash of inputs that are not one file, e.g. a DICOM
/// series folder whose digest the project recorded: the cache key of that input.
core::Result<EmbeddedImages> embedImages(const VitModel& model, const std::string& modelSha256,
                                         const std::vector<std::filesystem::path>& paths, const ImageLoader& load,
                                         const EmbeddingCache* cache, const core::JobControl& job = {},
                                         int batchSize = 16, const std::vector<std::string>& knownSha256 = {});

}  // namespace meridian::model
