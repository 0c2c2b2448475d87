#pragma once
// glibc's malloc set, once per process, to keep the memory a training step frees for the next
// step instead of handing it back to the kernel (issue 19).
//
// Why: a ViT training step allocates and frees hundreds of activation and gradient buffers of
// 0.1-15 MB. With glibc's defaults, buffers above its (adaptive) mmap threshold are fresh
// mappings and the free top of the heap is trimmed, so the next step faults and zeroes the
// same pages again: a ViT-S/16 bf16 fine-tuning step (batch 8, 2 cores) took 650-656 ms with
// the defaults and 613-631 ms with the settings below (bench_train, four alternating pairs of
// processes on 2026-12-05; PyTorch eager allocates the same way and gains the same). Here
// buffers up to 32 MiB (glibc's largest mmap threshold on 64-bit) come from the heap, and up to
// 1 GiB of free heap top stays mapped.
//
// Cost: the process keeps the peak of its training working set resident after the run (the
// workstation dedicates its memory to the job while it trains; a later malloc_trim gives it
// back). Buffers above 32 MiB (volumes, slides) are still mappings returned on free. Elsewhere
// than glibc this does nothing.

namespace meridian::model::train {

/// Applies the settings above on the first call; later calls do nothing. Thread-safe.
void keepFreedMemoryForTraining();

}  // namespace meridian::model::train
