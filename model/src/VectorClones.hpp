#pragma once
// MERIDIAN_VECTOR_CLONES before a function makes GCC build it once per x86 instruction set
// (AVX-512, AVX2, the baseline) and pick one when the library loads. Why: Meridian is built
// for the baseline x86-64, where the inference path's hand-written loops (LayerNorm, the
// attention's softmax, GELU's gradient) would run four lanes wide on CPUs that have sixteen.
// The AVX-512 clone is x86-64-v4 (F, BW, DQ, VL, CD: every AVX-512 CPU since Skylake-X), not
// AVX-512F alone: loops that store bf16 (16-bit lanes) vectorise only with BW; with F alone
// GCC 12 left them scalar (the softmax's bf16 output, GELU's gradient).

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define MERIDIAN_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#elif defined(__x86_64__) && defined(__GNUC__)
#define MERIDIAN_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MERIDIAN_VECTOR_CLONES
#endif
