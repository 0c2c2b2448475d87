#pragma once
// DINO's self-distillation loss: the teacher's outputs on the two global views, centred
// (an EMA of the teacher's batch means, which prevents one prototype from dominating) and
// sharpened (a low temperature, which prevents the uniform collapse), are the targets of
// the student's softmax on every other view: cross-entropy summed over cross-view pairs.

#include <ATen/ATen.h>

#include <vector>

namespace meridian::model::ssl {

class DinoLoss {
 public:
  DinoLoss(int prototypes, double studentTemperature, double centerMomentum);

  /// `student`: one [B, K] tensor per view (the 2 global views first), `teacher`: one per
  /// global view. Pairs of the same view are skipped. Mean over the batch and the pairs.
  at::Tensor forward(const std::vector<at::Tensor>& student, const std::vector<at::Tensor>& teacher,
                     double teacherTemperature) const;

  /// Mean entropy (nats) of the centred, sharpened targets over the teacher's rows: ln K when
  /// the targets are uniform (the collapse the sharpening must prevent), 0 when one-hot.
  double targetEntropy(const at::Tensor& teacher, double teacherTemperature) const;

  /// centre <- m * centre + (1 - m) * teacherSum / count; `teacherSum` is the sum of the
  /// teacher's outputs over the whole (all-reduced) batch of global views.
  void updateCenter(const at::Tensor& teacherSum, std::int64_t count);

  at::Tensor& center() { return center_; }
  const at::Tensor& center() const { return center_; }

 private:
  double studentTemperature_;
  double centerMomentum_;
  at::Tensor center_;  // [1, K]
};

}  // namespace meridian::model::ssl
