#include "TeacherForward.hpp"

#include <torch/autograd.h>

#include "../MatmulWeightCast.hpp"

namespace meridian::model::ssl {

namespace {

// The engine keeps a prepared copy of each weight for as long as the weight's version counter
// and data pointer stay the same. The fused EMA (FusedAdamW.cpp) writes the teacher through raw
// pointers, which moves no version counter, and a bf16 cast gets fresh storage that the
// allocator may place at last step's address: so every pass marks the weights as changed.
void markChanged(VitImpl& net) {
  for (auto& p : net.parameters()) p.unsafeGetTensorImpl()->bump_version();
}

}  // namespace

at::Tensor teacherForward(VitImpl& teacher, const at::Tensor& views, bool bf16) {
  torch::NoGradGuard noGrad;
  if (!bf16) {
    markChanged(teacher);
    return teacher.forward(views).features;
  }
  MatmulWeightCast cast;
  cast.apply(teacher, at::kBFloat16);
  markChanged(teacher);
  auto features = teacher.forward(views).features;
  cast.restore(teacher);  // the fp32 weights again, for the EMA and the checkpoint
  return features;
}

}  // namespace meridian::model::ssl
