#pragma once
// Held-out splits that do not leak: stratified (each class keeps its share on both sides)
// and patient-level (all images of one patient fall on the same side). A split that
// cannot hold every class on both sides is refused with a message, not made silently.

#include <cstdint>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"

namespace meridian::model::metrics {

struct Split {
  std::vector<std::size_t> train;  // row indices, ascending
  std::vector<std::size_t> test;
};

/// Holds out about `testFraction` of the rows. With `patients` empty each row is its own
/// patient and the split is stratified per class; otherwise whole patients move, chosen so
/// the held-out share is close to `testFraction` and every class is on both sides (seeded
/// search). `classes` is the number of classes (labels are 0..classes-1).
core::Result<Split> holdOutSplit(const std::vector<int>& labels, int classes, const std::vector<std::string>& patients,
                                 double testFraction, std::uint64_t seed);

/// k folds; fold i's test rows are disjoint from the others' and together cover all rows.
/// Stratified per class without patients; with patients, whole patients per fold (greedy by
/// size after a seeded shuffle). Every fold must see every class on both sides.
core::Result<std::vector<Split>> kFoldSplits(const std::vector<int>& labels, int classes,
                                             const std::vector<std::string>& patients, int folds, std::uint64_t seed);

/// Fails naming the first patient that appears in both lists (e.g. a training list and an
/// evaluation list); empty patient ids are ignored.
core::Status checkNoPatientOverlap(const std::vector<std::string>& trainPatients,
                                   const std::vector<std::string>& testPatients);

/// Fails when a split leaks a patient or misses a class on either side (a guard for splits
/// that come from elsewhere).
core::Status checkSplit(const Split& split, const std::vector<int>& labels, int classes,
                        const std::vector<std::string>& patients);

}  // namespace meridian::model::metrics
