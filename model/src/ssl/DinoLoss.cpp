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
  at::Tensor total;
  int pairs = 0;
  for (std::size_t t = 0; t < teacher.size(); ++t) {
    const auto target = at::softmax((teacher[t].detach() - center_) / teacherTemperature, -1);
    for (std::size_t s = 0; s < student.size(); ++s) {
      if (s == t) continue;  // same view: nothing to predict
      const auto term = (-target * at::log_softmax(student[s] / studentTemperature_, -1)).sum(-1).mean();
      total = total.defined() ? total + term : term;
      ++pairs;
    }
  }
  return total / pairs;
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
