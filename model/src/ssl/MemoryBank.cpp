#include "MemoryBank.hpp"

#include <stdexcept>

namespace meridian::model::ssl {

namespace {
at::Tensor normalizeRows(const at::Tensor& x) {
  return x / x.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-6);
}
}  // namespace

MemoryBank::MemoryBank(int capacity, int dim) : capacity_(capacity), entries_(at::zeros({capacity, dim}, at::kFloat)) {
  if (capacity < 1 || dim < 1) throw std::invalid_argument("memory bank: capacity and dimension must be positive");
}

at::Tensor MemoryBank::consistencyLoss(const at::Tensor& student, const at::Tensor& teacher, double studentTemperature,
                                       double teacherTemperature) const {
  if (filled_ == 0) return {};
  const auto bank = entries_.slice(0, 0, filled_);
  const auto studentLogits = at::matmul(normalizeRows(student), bank.t()) / studentTemperature;
  const auto teacherLogits = at::matmul(normalizeRows(teacher.detach()), bank.t()) / teacherTemperature;
  const auto target = at::softmax(teacherLogits, -1);
  const auto kl = (target * (at::log_softmax(teacherLogits, -1) - at::log_softmax(studentLogits, -1))).sum(-1);
  return kl.mean();
}

void MemoryBank::enqueue(const at::Tensor& teacherEmbeddings) {
  const auto rows = normalizeRows(teacherEmbeddings.detach().to(at::kFloat));
  for (std::int64_t i = 0; i < rows.size(0); ++i) {
    entries_[cursor_].copy_(rows[i]);
    cursor_ = (cursor_ + 1) % capacity_;
    if (filled_ < capacity_) ++filled_;
  }
}

void MemoryBank::restore(const at::Tensor& entries, std::int64_t filled, std::int64_t cursor) {
  if (entries.sizes() != entries_.sizes())
    throw std::invalid_argument("memory bank: the checkpoint's bank has another size than the one asked for");
  entries_.copy_(entries);
  filled_ = std::min<std::int64_t>(filled, capacity_);
  cursor_ = cursor % capacity_;
}

}  // namespace meridian::model::ssl
