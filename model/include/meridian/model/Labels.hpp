#pragma once
// A labelled image list, read from a CSV with the header `path,label[,patient]` (paths
// relative to the CSV's folder, RFC 4180 quoting, an optional UTF-8 BOM, blank lines
// ignored). Projects will add a second source later; training only sees LabelSet.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::model {

struct LabelledImage {
  std::filesystem::path path;  // absolute (resolved against the CSV's folder)
  std::string relativePath;    // as written in the CSV
  std::string label;
  std::string patient;  // "" when the CSV has no patient column
  int line = 0;         // 1-based line in the CSV, for messages
  // The content's SHA-256 when the caller knows it ("" = the file's): a project's DICOM
  // series is a folder, identified by its files' digest (the embedding cache's key).
  std::string contentSha256;
};

struct LabelSet {
  std::filesystem::path source;
  std::vector<LabelledImage> images;
  std::vector<std::string> classes;  // distinct labels, sorted (class index = position)
  bool hasPatients = false;

  /// Class index of each image.
  std::vector<int> classIndices() const;
  /// Patient of each image, or empty when the CSV has no patient column.
  std::vector<std::string> patients() const;
  /// Images per class, in class order.
  std::vector<std::size_t> classCounts() const;
  /// The subset `rows` (indices into images), keeping the class list.
  LabelSet subset(const std::vector<std::size_t>& rows) const;
};

struct LabelCsvOptions {
  /// Refuse when a class has fewer images (0 = no check, e.g. for evaluation lists).
  std::size_t minPerClass = 0;
  /// Refuse a list with a single class (nothing to learn or to evaluate).
  bool requireTwoClasses = true;
  /// Refuse listed files that do not exist.
  bool requireFiles = true;
};

/// Reads and checks a labels CSV. Errors name the file, the line and what to fix: a missing
/// header column, an unknown column, an empty field, a missing image, one class only,
/// fewer than `minPerClass` images in a class.
core::Result<LabelSet> readLabelsCsv(const std::filesystem::path& csv, const LabelCsvOptions& options = {});

/// Maps the set's labels onto `classes` (e.g. a trained model's label order). Fails naming
/// a label the list has that `classes` lacks.
core::Result<std::vector<int>> classIndicesIn(const LabelSet& set, const std::vector<std::string>& classes);

/// SHA-256 over the sorted "relative path, content SHA-256, label, patient" lines: the
/// training list's identity in a model card. `contentSha256` is per image, same order.
std::string labelListSha256(const LabelSet& set, const std::vector<std::string>& contentSha256);

}  // namespace meridian::model
