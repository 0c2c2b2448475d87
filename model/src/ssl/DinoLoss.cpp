#include "DinoLoss.hpp"

#include <stdexcept>

namespace meridian::model::ssl {

DinoLoss::DinoLoss(int prototypes, double studentTemperature, double centerMomentum)
    : studentTemperature_(studentTemperature),
      centerMomentum_(centerMomentum),
      center_(at::zeros({1, prototypes}, at::kFloat)) {}

at::Tensor DinoLoss::forward(const std::vector<at::Tensor>& student, const std::vector<at::Tensor>& teacher,
                             double teacherTemperature) const {
  if (teacher.empty() || student.size() < teacher.size())
    throw std::invalid_argument("DINO loss: the student must see every teacher view");
  std::vector<at::Tensor> targets;
  for (const auto& t : teacher) targets.push_back(at::softmax((t.detach() - center_) / teacherTemperature, -1));
  // The sum over pairs (t, s), t != s, of mean_b(-target_t . log_softmax(student_s)), grouped by
  // student view: each view's log-softmax once (not once per teacher view), against the sum of
  // the targets of the teacher views other than itself. Same value up to fp32 rounding.
  at::Tensor total;
  std::size_t pairs = 0;
  for (std::size_t s = 0; s < student.size(); ++s) {
    at::Tensor targetSum;
    for (std::size_t t = 0; t < targets.size(); ++t) {
      if (t == s) continue;  // same view: nothing to predict
      targetSum = targetSum.defined() ? targetSum + targets[t] : targets[t];
      ++pairs;
    }
    if (!targetSum.defined()) continue;
    const auto term = (-targetSum * at::log_softmax(student[s] / studentTemperature_, -1)).sum(-1).mean();
    total = total.defined() ? total + term : term;
  }
  return total / static_cast<double>(pairs);
}

double DinoLoss::targetEntropy(const at::Tensor& teacher, double teacherTemperature) const {
  const auto logits = (teacher.detach() - center_) / teacherTemperature;
  return (-at::softmax(logits, -1) * at::log_softmax(logits, -1)).sum(-1).mean().item<double>();
}

void DinoLoss::updateCenter(const at::Tensor& teacherSum, std::int64_t count) {
  const auto batchCenter = teacherSum.detach().reshape({1, -1}) / static_cast<double>(count);
  center_.mul_(centerMomentum_).add_(batchCenter, 1.0 - centerMomentum_);
}

}  // namespace meridian::model::ssl
