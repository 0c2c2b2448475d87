// The backends of InferenceLinear.hpp behind one interface: which are built, which a new
// LinearCache takes, and the calls handed to it.
#include "InferenceLinear.hpp"

#include <omp.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "InferenceBackend.hpp"

namespace meridian::model {
namespace {

#ifdef MERIDIAN_WITH_ONEDNN
constexpr InferenceBackend kBuiltDefault = InferenceBackend::OneDnn;
#else
constexpr InferenceBackend kBuiltDefault = InferenceBackend::Blas;
#endif

std::atomic<InferenceBackend> defaultBackend{kBuiltDefault};

// inferenceBackendBuilt and inferenceBackendName: InferenceBackend.hpp.
void requireBuilt(InferenceBackend backend) {
  if (!inferenceBackendBuilt(backend))
    throw std::invalid_argument(std::string("the ") + inferenceBackendName(backend) +
                                " inference backend is not built in (no oneDNN headers at build time)");
}

}  // namespace

const char* inferenceBackendName(InferenceBackend backend) {
  return backend == InferenceBackend::OneDnn ? "onednn" : "blas";
}

bool inferenceBackendBuilt(InferenceBackend backend) {
#ifdef MERIDIAN_WITH_ONEDNN
  (void)backend;
  return true;
#else
  return backend == InferenceBackend::Blas;
#endif
}

InferenceBackend defaultInferenceBackend() { return defaultBackend.load(); }

void setDefaultInferenceBackend(InferenceBackend backend) {
  requireBuilt(backend);
  defaultBackend.store(backend);
}

LinearCache::LinearCache(InferenceBackend backend) : backend_(backend) {
  requireBuilt(backend);
#ifdef MERIDIAN_WITH_ONEDNN
  if (backend == InferenceBackend::OneDnn) implementation_ = makeOneDnnBackend();
#endif
  if (backend == InferenceBackend::Blas) implementation_ = makeBlasBackend();
}

LinearCache::~LinearCache() = default;

void inferenceLinear(LinearCache& cache, const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias,
                     at::Tensor& out, LinearEpilogue epilogue) {
  cache.implementation().linear(a, weight, bias, out, epilogue);
}

void inferenceAttention(LinearCache& cache, const at::Tensor& qkv, std::int64_t batch, std::int64_t tokens,
                        std::int64_t heads, at::Tensor& out) {
  cache.implementation().attention(qkv, batch, tokens, heads, out);
}

InferenceThreadsScope::InferenceThreadsScope(const LinearCache& cache) {
  if (cache.backend() != InferenceBackend::OneDnn) return;
  saved_ = omp_get_max_threads();
  omp_set_num_threads(1);
}

InferenceThreadsScope::~InferenceThreadsScope() {
  if (saved_ > 0) omp_set_num_threads(saved_);
}

}  // namespace meridian::model
