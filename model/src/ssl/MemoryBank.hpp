#pragma once
// The memory module (in the spirit of MerMED-FM's memory for continual multi-modality
// pretraining): a FIFO bank of past teacher embeddings (L2-normalised backbone features).
// Its consistency term asks the student's similarity distribution over the bank to match
// the teacher's (KL between softmaxes over bank similarities). The bank keeps embeddings
// of what the model saw before, so when pretraining continues on a new modality the
// student is held to the relations it had with the old data: it resists forgetting.

#include <ATen/ATen.h>

#include <cstdint>

namespace meridian::model::ssl {

class MemoryBank {
 public:
  MemoryBank(int capacity, int dim);

  /// KL(teacher || student) over softmaxes of similarities to the bank, averaged over the
  /// batch; undefined tensor while the bank is empty. `student`, `teacher`: [B, D] features
  /// (normalised here).
  at::Tensor consistencyLoss(const at::Tensor& student, const at::Tensor& teacher, double studentTemperature,
                             double teacherTemperature) const;

  /// Appends teacher embeddings (oldest entries are overwritten once full).
  void enqueue(const at::Tensor& teacherEmbeddings);

  int capacity() const { return capacity_; }
  std::int64_t filled() const { return filled_; }

  // State for checkpoints.
  at::Tensor& entries() { return entries_; }
  const at::Tensor& entries() const { return entries_; }
  std::int64_t cursor() const { return cursor_; }
  void restore(const at::Tensor& entries, std::int64_t filled, std::int64_t cursor);

 private:
  int capacity_;
  at::Tensor entries_;  // [capacity, D], normalised rows
  std::int64_t filled_ = 0;
  std::int64_t cursor_ = 0;  // next row to write
};

}  // namespace meridian::model::ssl
