#pragma once
// The DINO head's weight-normalised prototypes, w = p / max(||p||, eps) row by row, as one
// autograd node (issue 19).
//
// Why: written as `prototypes / prototypes.norm(2, {1}, true).clamp_min(eps)`, each of the
// student's two head calls a step (global and local views) is a norm and a broadcast division
// over the [4096, 256] prototypes, and its backward ~8 more passes (the division's two
// gradients, the norm's, their sum): ~20 passes over 4 MB a step, for a product that itself is
// 16-48 rows. Here the forward is one pass (the row norms as it goes) and the backward one:
// dp = (dw - w (dw . w)) / ||p|| for each row whose norm is above eps, dw / eps for the others
// (clamp_min passes no gradient to the norm there).

#include <ATen/ATen.h>

namespace meridian::model::ssl {

/// p / max(||p||_2, eps) over the rows of a 2-D fp32 `prototypes`, recorded by autograd with
/// the gradient above. Other types or shapes: the ATen expression itself.
at::Tensor normalizedPrototypes(const at::Tensor& prototypes, double eps);

}  // namespace meridian::model::ssl
