// The OneDnn backend of InferenceLinear.hpp (see there for why), built where oneDNN's
// headers are found.
#include <dnnl.hpp>

#include <cmath>

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "ChunkPool.hpp"
#include "InferenceBackend.hpp"

namespace meridian::model {
namespace {

using dnnl::memory;

memory::data_type dnnlType(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return memory::data_type::f32;
    case at::kBFloat16: return memory::data_type::bf16;
    default: throw std::invalid_argument("inferenceLinear: fp32 or bf16 only");
  }
}

// The backend's state: prepared weights and primitives (one per LinearCache).
struct State {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::mutex mutex;

  // A weight in the blocked layout a primitive asked for. `source` keeps the tensor's
  // identity (its TensorImpl cannot be reused for another weight while held here).
  struct Packed {
    at::Tensor source;
    std::int64_t version;
    memory::desc desc;
    memory blocked;
  };
  std::map<const void*, std::vector<Packed>> packed;

  // (weight, rows, epilogue, source type, destination type) -> primitive
  using Key = std::tuple<const void*, std::int64_t, int, int, int>;
  std::map<Key, std::pair<dnnl::matmul::primitive_desc, dnnl::matmul>> primitives;
  // (tokens, headDim, D, operand type) -> the attention's two products on one head (dense
  // copies of its q, k, v); s the fp32 scores, p the probabilities in the operand type.
  struct Attention {
    dnnl::matmul scores, context;
    memory::desc q, kT, s, p, v, out, scoresPad, contextPad;
  };
  using AttentionKey = std::tuple<std::int64_t, std::int64_t, std::int64_t, int>;
  std::map<AttentionKey, Attention> attention;

  // The packed copy of `weight` in `desc`, reordered now when missing or stale.
  memory& packedWeight(const at::Tensor& weight, const memory::desc& desc) {
    auto& list = packed[weight.unsafeGetTensorImpl()];
    const auto version = static_cast<std::int64_t>(weight._version());
    for (auto it = list.begin(); it != list.end(); ++it) {
      if (!it->source.is_same(weight) || it->version != version) {
        list.erase(it);
        return packedWeight(weight, desc);
      }
      if (it->desc == desc) return it->blocked;
    }
    const auto n = weight.size(0), k = weight.size(1);
    // torch's [N, K] row-major weight is oneDNN's {K, N} weights in "ba" order.
    memory::desc plain({k, n}, dnnlType(weight.scalar_type()), memory::format_tag::ba);
    memory user(plain, engine, const_cast<void*>(weight.data_ptr()));
    memory blocked(desc, engine);
    dnnl::reorder(user, blocked).execute(stream, user, blocked);
    stream.wait();
    list.push_back({weight, version, desc, blocked});
    return list.back().blocked;
  }
};

// Rows per chunk: at least ~4 chunks per thread so a late thread leaves little to wait for,
// at least 16 rows so each chunk keeps the AVX-512 kernel's register blocking busy, and equal
// sizes (the last one may be shorter) so at most two primitives serve one product.
std::int64_t chunkRows(std::int64_t m) {
  const std::int64_t target = std::max<std::int64_t>(16, std::min<std::int64_t>(64, m / 8));
  const std::int64_t chunks = (m + target - 1) / target;
  return (m + chunks - 1) / chunks;
}

// Each thread's scratch memory for the primitives it runs (user-managed scratchpad: two
// threads may run the same primitive on different rows at once).
std::vector<char>& threadScratchpad(std::size_t size) {
  thread_local std::vector<char> buffer;
  if (buffer.size() < size) buffer.resize(size);
  return buffer;
}

void dnnlLinear(State& s, const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias, at::Tensor& out,
                LinearEpilogue epilogue) {
  const auto m = a.size(0), k = a.size(1), n = weight.size(0);
  const auto srcType = dnnlType(a.scalar_type()), dstType = dnnlType(out.scalar_type());
  const auto weightType = dnnlType(weight.scalar_type());
  const memory::desc biasDesc({1, n}, memory::data_type::f32, memory::format_tag::ab);
  const std::int64_t rows = chunkRows(m), chunks = (m + rows - 1) / rows, lastRows = m - (chunks - 1) * rows;

  // Primitives for a chunk of `rows` rows and for the last one, made single-threaded (this
  // thread's OpenMP team size is 1 here): the chunks are the parallelism (ChunkPool.hpp).
  SerialOpenMpScope serial;
  struct Kernel {
    dnnl::matmul primitive;
    memory packed;  // a handle: shares the cache's buffer
    memory::desc scratchpad;
  };
  const auto kernelFor = [&](std::int64_t r) {
    const State::Key key{weight.unsafeGetTensorImpl(), r, static_cast<int>(epilogue),
                                      static_cast<int>(srcType), static_cast<int>(dstType)};
    auto it = s.primitives.find(key);
    if (it == s.primitives.end()) {
      dnnl::post_ops ops;
      if (epilogue == LinearEpilogue::BiasGelu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_gelu_erf, 0.f, 0.f);
      if (epilogue == LinearEpilogue::BiasAccumulate) ops.append_sum(1.f);
      dnnl::primitive_attr attr;
      attr.set_post_ops(ops);
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      const memory::desc src({r, k}, srcType, memory::format_tag::ab), dst({r, n}, dstType, memory::format_tag::ab);
      const memory::desc anyWeights({k, n}, weightType, memory::format_tag::any);
      const auto desc = bias.defined() ? dnnl::matmul::desc(src, anyWeights, biasDesc, dst)
                                       : dnnl::matmul::desc(src, anyWeights, dst);
      dnnl::matmul::primitive_desc pd(desc, attr, s.engine);
      it = s.primitives.emplace(key, std::make_pair(pd, dnnl::matmul(pd))).first;
    }
    const auto& pd = it->second.first;
    return Kernel{it->second.second, s.packedWeight(weight, pd.weights_desc()), pd.scratchpad_desc()};
  };
  Kernel body, last;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    body = kernelFor(rows);
    last = lastRows == rows ? body : kernelFor(lastRows);
  }

  // The bias is read as fp32 (a bf16 bias is widened once per call: N values).
  const at::Tensor bias32 = bias.defined() ? bias.to(at::kFloat).contiguous() : bias;
  const auto* srcBase = static_cast<const char*>(a.data_ptr());
  auto* dstBase = static_cast<char*>(out.data_ptr());
  const std::size_t srcRowBytes = k * a.element_size(), dstRowBytes = n * out.element_size();
  runChunks(static_cast<int>(chunks), [&](int c) {
    const std::int64_t r = c + 1 == chunks ? lastRows : rows;
    const Kernel& kernel = c + 1 == chunks ? last : body;
    dnnl::stream stream(s.engine);  // streams are not shared between threads; a CPU one is cheap
    auto& scratch = threadScratchpad(kernel.scratchpad.get_size());
    memory src({{r, k}, srcType, memory::format_tag::ab}, s.engine,
               const_cast<char*>(srcBase + c * rows * srcRowBytes));
    memory dst({{r, n}, dstType, memory::format_tag::ab}, s.engine, dstBase + c * rows * dstRowBytes);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src},
                                         {DNNL_ARG_WEIGHTS, kernel.packed},
                                         {DNNL_ARG_DST, dst},
                                         {DNNL_ARG_SCRATCHPAD, memory(kernel.scratchpad, s.engine, scratch.data())}};
    if (bias32.defined())
      args.emplace(DNNL_ARG_BIAS, memory(biasDesc, s.engine, const_cast<void*>(bias32.data_ptr())));
    kernel.primitive.execute(stream, args);
  });
}

void dnnlAttention(State& s, const at::Tensor& qkv, std::int64_t b, std::int64_t t, std::int64_t heads,
                   at::Tensor& out) {
  const auto d = qkv.size(1) / 3, hd = d / heads;
  // bf16 operands (qkv and out bf16, the bf16 weights' path): both products run bf16 kernels;
  // the scores and the softmax stay fp32 and only the probabilities are rounded to bf16.
  const auto type = qkv.scalar_type();
  if (out.scalar_type() != type) throw std::invalid_argument("inferenceAttention: qkv and out of one type");
  const auto operand = dnnlType(type);
  SerialOpenMpScope serial;
  State::Attention kernels;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    const State::AttentionKey key{t, hd, d, static_cast<int>(operand)};
    auto it = s.attention.find(key);
    if (it == s.attention.end()) {
      using tag = memory::format_tag;
      const auto f32 = memory::data_type::f32;
      State::Attention k;
      // One head of one image, each operand dense: q and v [T, hd], k^T read from k [T, hd]
      // column-wise ("ba"), scores [T, T] fp32, the context [T, hd]. Dense because oneDNN 2.6
      // takes its brgemm kernels only then: with the strided views of qkv it fell back to
      // its gemm path, 4x slower on these shapes (bf16: 265 ms vs 65 ms per forward at batch 16).
      k.q = memory::desc({t, hd}, operand, tag::ab);
      k.kT = memory::desc({hd, t}, operand, tag::ba);
      k.s = memory::desc({t, t}, f32, tag::ab);
      k.p = memory::desc({t, t}, operand, tag::ab);
      k.v = memory::desc({t, hd}, operand, tag::ab);
      k.out = memory::desc({t, hd}, operand, tag::ab);
      dnnl::primitive_attr scaled;
      scaled.set_output_scales(0, {static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)))});
      scaled.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::matmul::primitive_desc scoresPd(dnnl::matmul::desc(k.q, k.kT, k.s), scaled, s.engine);
      dnnl::primitive_attr plain;
      plain.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      dnnl::matmul::primitive_desc contextPd(dnnl::matmul::desc(k.p, k.v, k.out), plain, s.engine);
      k.scores = dnnl::matmul(scoresPd);
      k.context = dnnl::matmul(contextPd);
      k.scoresPad = scoresPd.scratchpad_desc();
      k.contextPad = contextPd.scratchpad_desc();
      it = s.attention.emplace(key, k).first;
    }
    kernels = it->second;
  }
  const auto* base = static_cast<const char*>(qkv.data_ptr());
  auto* dstBase = static_cast<char*>(out.data_ptr());
  const std::int64_t bytes = qkv.element_size();
  const bool rounded = type != at::kFloat;
  const auto ensure = [](at::Tensor& buffer, at::IntArrayRef shape, const at::TensorOptions& options) {
    if (!buffer.defined() || buffer.sizes() != shape || buffer.scalar_type() != options.dtype().toScalarType())
      buffer = at::empty(shape, options);
    return buffer.data_ptr();
  };
  runChunks(static_cast<int>(b * heads), [&](int c) {
    const std::int64_t image = c / heads, head = c % heads;
    // This thread's buffers: the head's q, k, v copied dense (the context then overwrites q),
    // the scores, and the probabilities rounded to bf16 when the operands are.
    thread_local at::Tensor dense, scores, probabilities;
    auto* q = static_cast<char*>(ensure(dense, {3, t, hd}, qkv.options()));
    const char* rows = base + (image * t * 3 * d + head * hd) * bytes;
    for (int part = 0; part < 3; ++part)
      dense[part].copy_(at::from_blob(const_cast<char*>(rows) + part * d * bytes, {t, hd}, {3 * d, 1}, qkv.options()));
    ensure(scores, {t, t}, qkv.options().dtype(at::kFloat));
    if (rounded) ensure(probabilities, {t, t}, qkv.options());
    dnnl::stream stream(s.engine);
    auto& pad = threadScratchpad(std::max(kernels.scoresPad.get_size(), kernels.contextPad.get_size()));
    kernels.scores.execute(stream, {{DNNL_ARG_SRC, memory(kernels.q, s.engine, q)},
                                    {DNNL_ARG_WEIGHTS, memory(kernels.kT, s.engine, q + t * hd * bytes)},
                                    {DNNL_ARG_DST, memory(kernels.s, s.engine, scores.data_ptr())},
                                    {DNNL_ARG_SCRATCHPAD, memory(kernels.scoresPad, s.engine, pad.data())}});
    at::_softmax_out(scores, scores, -1, false);  // serial here (team size 1), row by row in place
    if (rounded) probabilities.copy_(scores);     // ATen's vectorised rounding (nearest even)
    kernels.context.execute(
        stream, {{DNNL_ARG_SRC, memory(kernels.p, s.engine, (rounded ? probabilities : scores).data_ptr())},
                 {DNNL_ARG_WEIGHTS, memory(kernels.v, s.engine, q + 2 * t * hd * bytes)},
                 {DNNL_ARG_DST, memory(kernels.out, s.engine, q)},
                 {DNNL_ARG_SCRATCHPAD, memory(kernels.contextPad, s.engine, pad.data())}});
    at::from_blob(dstBase + (image * t * d + head * hd) * bytes, {t, hd}, {d, 1}, out.options()).copy_(dense[0]);
  });
}

class OneDnnBackend final : public LinearBackend {
 public:
  void linear(const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias, at::Tensor& out,
              LinearEpilogue epilogue) override {
    dnnlLinear(state_, a, weight, bias, out, epilogue);
  }
  void attention(const at::Tensor& qkv, std::int64_t batch, std::int64_t tokens, std::int64_t heads,
                 at::Tensor& out) override {
    dnnlAttention(state_, qkv, batch, tokens, heads, out);
  }

 private:
  State state_;
};

}  // namespace

std::unique_ptr<LinearBackend> makeOneDnnBackend() { return std::make_unique<OneDnnBackend>(); }

}  // namespace meridian::model
