#pragma once
// The resumable state of a slide run, kept beside its outputs: which patches are done and
// their scores (and embeddings when an aggregator needs them), plus what identifies the
// run (model, slide, settings) so a rerun with anything else starts over. JSON, written
// atomically (core/AtomicFile.hpp): a crash leaves the previous checkpoint or the new one.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::model {

struct PatchOutput {
  std::vector<float> scores;
  std::vector<float> embedding;  // empty unless kept
  std::vector<float> map;        // explanation grid, empty unless asked for
};

struct SlideProgress {
  std::string modelId;
  std::string slideId;
  std::map<std::string, std::string> settings;  // name -> value, compared one by one
  std::size_t total = 0;
  bool complete = false;
  std::map<int, PatchOutput> done;  // cell -> output
};

core::Status saveSlideProgress(const std::filesystem::path& path, const SlideProgress& progress);
core::Result<SlideProgress> loadSlideProgress(const std::filesystem::path& path);

/// Why `saved` cannot be continued as `wanted` ("" when it can): the first differing
/// identity or setting, with both values.
std::string describeProgressMismatch(const SlideProgress& saved, const SlideProgress& wanted);

}  // namespace meridian::model
