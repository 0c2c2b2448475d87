#pragma once
// The review queue's rules, without Qt: which predictions a reviewer sees first, what a
// decision records, and the progress line. ReviewPanel (ui/) is the thin Qt part over it.
//
// A case is in the queue when a prediction of its holds class probabilities (the latest such
// is reviewed; explanation records, which hold none, are skipped). It counts as
// reviewed when it has at least one review decision (the case browser's "Reviewed" filter
// means the same, see ProjectStore::listCases).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/project/ProjectRecords.hpp"

namespace meridian::project {
class ProjectStore;
}

namespace meridian::ui {

struct ClassProbability {
  std::string name;
  double probability = 0;
};

/// The class probabilities in a prediction's outputs (Prediction::outputsJson), highest first
/// (equal ones by name). Read from, in this order of preference:
///   {"probabilities": {"a": 0.7, "b": 0.3}, ...}
///   {"probabilities": [{"task", "label", "probability"}, ...], "top": {"task", ...}}
///                                                     (the model service; the top label's task)
///   {"outputs": {"task": {"a": 0.7, "b": 0.3}}, ...}   (the first task, as `meridian-cli infer` writes)
///   {"task": {"a": 0.7, "b": 0.3}}                      (the first object of numbers)
///   {"a": 0.7, "b": 0.3}
/// Refused (InvalidArgument) when none of these holds numbers in [0, 1].
core::Result<std::vector<ClassProbability>> classProbabilities(const std::string& outputsJson);

/// Top probability minus the second (the top one alone when there is one class): small =
/// the model hesitates between two classes.
double topTwoMargin(const std::vector<ClassProbability>& probabilities);
/// Shannon entropy in nats of the probabilities renormalised to sum to 1: large = spread out.
double entropy(const std::vector<ClassProbability>& probabilities);

enum class ReviewOrder {
  Margin,        // smallest top-two margin first
  Entropy,       // largest entropy first
  Disagreement,  // labelled cases whose top prediction is not a label of theirs first; among
                 // them and then among agreeing labelled cases, the lowest probability on the
                 // case's labels first; unlabelled cases last, smallest margin first
};

/// One case as the queue sees it.
struct ReviewCandidate {
  project::CaseId caseId = 0;
  project::PredictionId predictionId = 0;
  std::vector<ClassProbability> probabilities;  // highest first
  std::vector<std::string> labels;              // the case's image-level labels
  std::size_t reviews = 0;                      // review decisions recorded on the case
};

struct ReviewEntry {
  ReviewCandidate candidate;
  std::string predicted;          // the top class
  double topProbability = 0;
  double margin = 0;
  double entropy = 0;
  bool disagrees = false;         // labelled, and the top class is none of its labels
  double labelProbability = -1;   // highest probability on one of its labels; -1 unlabelled
  bool reviewed() const { return candidate.reviews > 0; }
};

/// The queue in `order`; ties by case id. With `notYetReviewedOnly`, reviewed cases are left out.
std::vector<ReviewEntry> orderReviewQueue(const std::vector<ReviewCandidate>& candidates, ReviewOrder order,
                                          bool notYetReviewedOnly);

/// The project's cases with a prediction that holds class probabilities (the latest such) (with their labels
/// and how many decisions they have), in case order; `withoutProbabilities` gets how many
/// cases have no prediction, or one without probabilities.
core::Result<std::vector<ReviewCandidate>> readReviewCandidates(const project::ProjectStore& store,
                                                                std::size_t* withoutProbabilities = nullptr);

struct ReviewProgress {
  std::size_t reviewed = 0;
  std::size_t total = 0;
  std::string text() const;  // "3 of 9 reviewed"
};
ReviewProgress reviewProgress(const std::vector<ReviewCandidate>& candidates);

/// The case after `current` in the queue (the first when `current` is not in it); nullopt at
/// the end. Taken before a decision, so that "not yet reviewed" (where the decided case drops
/// out) and "all" advance alike.
std::optional<project::CaseId> caseAfter(const std::vector<ReviewEntry>& queue, std::optional<project::CaseId> current);

/// The classes a correction can name: the project's classes (by id: the task being labelled),
/// then the prediction's classes the project does not have (by name). Project classes first, so
/// that a correction relabels a case within its task rather than with the model's own words.
std::vector<std::string> correctionChoices(const ReviewEntry& entry, const std::vector<project::LabelClass>& classes);

enum class ReviewVerdict { Accept, Reject, Correct };
const char* toString(ReviewVerdict verdict);  // "accept", "reject", "correct"
/// The decision `reviewer` makes on this entry's prediction. Refused without a reviewer name
/// (every decision records who made it). A correction needs a class (refused without one, or
/// with the predicted class itself, which is an accept); accept and reject take none. The
/// store adds the UTC time when it records it.
core::Result<project::ReviewDecision> makeReviewDecision(const ReviewEntry& entry, ReviewVerdict verdict,
                                                         const std::string& reviewer,
                                                         const std::string& correction = {});

}  // namespace meridian::ui
