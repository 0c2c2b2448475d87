#pragma once
// LibTorch's AdamW step, and an EMA of the parameters, as one parallel pass over all of them.
//
// torch::optim::AdamW::step runs about eight ATen operators per parameter (two of them
// allocating), clip_grad_norm_ two more, and an EMA teacher another two: for a ViT-S with its
// DINO head, ~2,000 operators per step, each an OpenMP region over one parameter. On a 2-core
// CPU shared with other jobs every region ends at a barrier that often waits for a preempted
// thread: issue 19's phase timing (bench_dino --phases) measured the clipping, AdamW and EMA
// of one DINO step at 8 s of 42 s, more than the teacher's whole forward pass. Here the same
// arithmetic is one region (the norm a second), in fixed blocks of elements.
//
// The optimiser object stays LibTorch's: its parameter groups (lr, betas, eps, weight decay)
// and its per-parameter state (exp_avg, exp_avg_sq, step) are read and written in place, so
// checkpoints and the code that sets the schedule do not change. Per element the update is
// torch's own sequence of float operations; parameters without a gradient are skipped (no
// decay, no moments, no step), as torch does.

#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include <utility>
#include <vector>

namespace meridian::model::train {

/// The L2 norm of all gradients of `parameters` (undefined ones skipped) in double, summed in
/// fixed blocks in a fixed order: the same value whatever the thread count (a resumed run
/// must clip exactly as the uninterrupted one). All gradients must be contiguous fp32 on CPU.
double gradientNorm(const std::vector<at::Tensor>& parameters);

/// Drops every gradient of `optimizer`'s parameters (not zeroed: the backward pass then hands
/// its gradient tensors over instead of adding them to zeros, one pass less per parameter).
void dropGradients(torch::optim::Optimizer& optimizer);

/// An EMA that follows each updated parameter: teacher = teacher * m + student * (1 - m), as
/// teacher.mul_(m).add_(student, 1 - m) computes it. Every pair is updated, with or without
/// a gradient on the student.
struct EmaFollow {
  std::vector<std::pair<at::Tensor, at::Tensor>> pairs;  // (student parameter, teacher tensor)
  double momentum = 0;
};

/// optimizer.step() for an AdamW without amsgrad, with every gradient first multiplied by
/// `gradientScale` (clipping: 1 = as they are), then `ema` (if any) in the same pass.
/// Parameters, gradients and teachers: contiguous fp32 on CPU.
void fusedAdamWStep(torch::optim::AdamW& optimizer, double gradientScale, const EmaFollow* ema = nullptr);

/// Whether fusedAdamWStep can take `optimizer`'s step: no amsgrad, and every parameter that has
/// a gradient is contiguous fp32 on the CPU with a contiguous fp32 gradient (not so on a GPU).
bool fusedAdamWApplies(const torch::optim::AdamW& optimizer);

/// The training loops' optimiser step: fusedAdamWStep where it applies (one pass instead of
/// ~8 operators per parameter), else LibTorch's own step; the same arithmetic either way.
void adamWStep(torch::optim::AdamW& optimizer);

}  // namespace meridian::model::train
