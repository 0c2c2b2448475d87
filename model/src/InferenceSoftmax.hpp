#pragma once
// The attention's row-wise softmax for the CPU inference path (issue 20): max, exp and sum,
// then the scaling, in two passes over each row, written as fp32 or straight as bf16 (the
// bf16 context product's operand).
//
// Why not at::_softmax_out plus a .copy_ to bf16: called per head (197 x 197 scores at 224
// px), ATen's kernel took ~12 cycles per score here (dispatch, its own passes) and the bf16
// rounding a third pass: at bf16 batch 16 the softmax was 14% of the forward pass's time,
// as much as the attention's two products together.

#include <cstdint>

namespace meridian::model {

/// For each of `rows` rows of `scores` (fp32, `cols` wide, rows contiguous):
/// out = exp(s - max) / sum(exp(s - max)). `out` may be `scores` itself. exp is a degree-6
/// polynomial after range reduction (relative error ~2e-7, like Cephes' expf); a NaN in a row
/// makes that row NaN.
void softmaxRows(float* scores, std::int64_t rows, std::int64_t cols, float* out);
/// The same, written as bf16 (round to nearest even); `scores` is overwritten with exp(s - max).
void softmaxRows(float* scores, std::int64_t rows, std::int64_t cols, std::uint16_t* out);

}  // namespace meridian::model
