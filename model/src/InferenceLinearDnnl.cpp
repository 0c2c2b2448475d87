// The OneDnn backend of InferenceLinear.hpp (see there for why), built where oneDNN's
// headers are found.
#include <dnnl.hpp>

#include <cmath>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "ChunkPool.hpp"
#include "InferenceBackend.hpp"
#include "InferenceSoftmax.hpp"
#include "SignalShield.hpp"
#include "meridian/model/Runtime.hpp"

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

// One CPU engine for the process, so that each thread's execution objects (ThreadExecutor)
// serve every LinearCache and never outlive their engine. Never destroyed: pool threads may
// still hold those objects during static destruction.
const dnnl::engine& cpuEngine() {
  static const auto* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

// One thread's objects for running primitives on chunks: its stream, and per (argument,
// layout) one memory object that each chunk points at its own rows (set_data_handle).
// Made per chunk (allocations, descriptor copies: a batch-1 pass runs ~770 chunks) they cost
// about 2% of that pass's CPU time.
class ThreadExecutor {
 public:
  static ThreadExecutor& get() {
    thread_local ThreadExecutor executor;
    return executor;
  }

  // A memory object for argument `arg` with `desc` (a plain layout) over `data`.
  const memory& wrap(int arg, const memory::desc& desc, const void* data) {
    const auto& d = desc.data;
    const Key key{arg, d.ndims, d.dims[0], d.ndims > 1 ? d.dims[1] : 0, static_cast<int>(d.data_type),
                  d.format_desc.blocking.strides[0], d.ndims > 1 ? d.format_desc.blocking.strides[1] : 0};
    auto it = memories_.find(key);
    if (it == memories_.end())
      it = memories_.emplace(key, memory(desc, cpuEngine(), const_cast<void*>(data))).first;
    else
      it->second.set_data_handle(const_cast<void*>(data));
    return it->second;
  }

  void execute(const dnnl::primitive& primitive, const std::unordered_map<int, memory>& args) {
    primitive.execute(stream_, args);
  }

 private:
  // (argument, rank, two dimensions, type, two strides): what tells apart the plain layouts
  // wrapped here (row chunks, the attention's operands, scratchpads).
  using Key = std::tuple<int, int, std::int64_t, std::int64_t, int, std::int64_t, std::int64_t>;
  dnnl::stream stream_{cpuEngine()};
  std::map<Key, memory> memories_;
};

// The backend's state: prepared weights and primitives (one per LinearCache).
struct State {
  const dnnl::engine& engine = cpuEngine();
  dnnl::stream stream{engine};
  std::mutex mutex;

  // A weight (or the slab of its output columns from `firstColumn`) in the layout a primitive
  // asked for: a blocked copy, or the tensor's own memory where that layout is the tensor's.
  // `source` keeps the tensor's identity (its TensorImpl cannot be reused for another weight
  // while held here); `data` and `version` tell when its values may have changed.
  struct Packed {
    at::Tensor source;
    std::int64_t version;
    const void* data;
    std::int64_t firstColumn;
    memory::desc desc;
    memory blocked;
  };
  std::map<const void*, std::vector<Packed>> packed;

  // (weight, rows, columns, epilogue, source type, destination type) -> primitive
  using Key = std::tuple<const void*, std::int64_t, std::int64_t, int, int, int>;
  std::map<Key, std::pair<dnnl::matmul::primitive_desc, dnnl::matmul>> primitives;
  // (tokens, headDim, D, operand type) -> the attention's two products on one head (dense
  // copies of its q, k, v); s the fp32 scores, p the probabilities in the operand type.
  struct Attention {
    dnnl::matmul scores, context;
    memory::desc q, kT, s, p, v, out, scoresPad, contextPad;
  };
  using AttentionKey = std::tuple<std::int64_t, std::int64_t, std::int64_t, int>;
  std::map<AttentionKey, Attention> attention;

  // `weight`'s output columns [firstColumn, firstColumn + columns of desc) in `desc`,
  // reordered now when missing or stale.
  memory& packedWeight(const at::Tensor& weight, const memory::desc& desc, std::int64_t firstColumn = 0) {
    auto& list = packed[weight.unsafeGetTensorImpl()];
    const auto version = static_cast<std::int64_t>(weight._version());
    for (auto it = list.begin(); it != list.end(); ++it) {
      if (!it->source.is_same(weight) || it->version != version || it->data != weight.data_ptr()) {
        list.erase(it);
        return packedWeight(weight, desc, firstColumn);
      }
      if (it->desc == desc && it->firstColumn == firstColumn) return it->blocked;
    }
    // A weight cast to another type in place (MatmulWeightCast: same tensor, new data) needs
    // its copies in the old type no more: a bf16 ViT-B would otherwise keep its 344 MB fp32
    // packing too. (Cast back, it is packed again: once per switch.)
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Packed& p) { return p.desc.data.data_type != desc.data.data_type; }),
               list.end());
    const auto k = weight.numel() / weight.size(0), columns = desc.dims()[1];
    // torch's [N, K] row-major weight is oneDNN's {K, N} weights in "ba" order; a slab of
    // output columns is a run of its rows.
    const memory::desc plain({k, columns}, dnnlType(weight.scalar_type()), memory::format_tag::ba);
    auto* first = static_cast<char*>(weight.data_ptr()) + firstColumn * k * weight.element_size();
    memory user(plain, engine, first);
    if (desc == plain) {  // the kernel reads the tensor's own layout: no copy
      list.push_back({weight, version, weight.data_ptr(), firstColumn, desc, user});
      return list.back().blocked;
    }
    memory blocked(desc, engine);
    dnnl::reorder(user, blocked).execute(stream, user, blocked);
    stream.wait();
    list.push_back({weight, version, weight.data_ptr(), firstColumn, desc, blocked});
    return list.back().blocked;
  }
};

// Rows per chunk (the bf16 products): at least ~4 chunks per thread so a late thread leaves
// little to wait for, at least 16 rows so each chunk keeps the AVX-512 kernel's register
// blocking busy, equal
// sizes (the last one may be shorter) so at most two primitives serve one product, and a
// chunk count that the threads share evenly: at batch 1 (197 rows) 9 chunks of 22 left one
// of two threads 5 chunks and the other 4 on an idle machine, 10% of the products' time.
// (The kernels run at the same rate per row from 8 to 197 rows here: the row count is free.)
std::int64_t chunkRows(std::int64_t m) {
  const std::int64_t threads = std::max(1, intraOpThreads());
  const std::int64_t target = std::max<std::int64_t>(16, std::min<std::int64_t>(64, m / 8));
  const std::int64_t chunks = ((m + target - 1) / target + threads - 1) / threads * threads;
  return (m + chunks - 1) / chunks;
}

// Each thread's scratch memory for the primitives it runs (user-managed scratchpad: two
// threads may run the same primitive on different rows at once).
std::vector<char>& threadScratchpad(std::size_t size) {
  thread_local std::vector<char> buffer;
  if (buffer.size() < size) buffer.resize(size);
  return buffer;
}

// fp32 products are cut into tiles of at most 256 rows by a slab of output columns, instead of
// row chunks of all columns: the weight is then read once per 256 rows (once per pass for one
// 224 px image, 197 rows) and each tile's slab of it stays in cache for all its rows. Why: every
// row chunk streams the whole weight, and in a forward pass the weights come cold from memory
// (ViT-B's 344 MB are far above the caches). A standalone loop over oneDNN, one thread,
// twelve layers' weights in turn, fp32 GFLOP/s, row chunks of 20 (197 rows) or 64 (3152 rows)
// vs tiles (2026-12-03, load ~10): fc1 at 197 rows 156-181 vs 209-215; at 3152 rows fc1
// 176-182 vs 192-199, fc2 158-175 vs 173-204, qkv 151-168 vs 190. ONNX Runtime's products
// split the columns too. oneDNN 2.6 runs a tile (an output with the row stride of the whole)
// on its gemm kernels, not brgemm.
// bf16 stays in row chunks: its batches already run in chunks of ~1600 tokens.
constexpr std::int64_t kTileMaxRows = 256;

// Rows per tile: equal blocks of at most kTileMaxRows.
std::int64_t tileRows(std::int64_t m) {
  const std::int64_t blocks = (m + kTileMaxRows - 1) / kTileMaxRows;
  return (m + blocks - 1) / blocks;
}

// Columns per slab: ~4 slabs per thread, equal widths in multiples of 16 (N = 768, 2304,
// 3072: 8 slabs of 96, 288, 384 with 2 threads), so the threads share them evenly.
std::int64_t slabColumns(std::int64_t n) {
  const std::int64_t threads = std::max(1, intraOpThreads());
  const std::int64_t groups = (n + 15) / 16, slabs = std::max<std::int64_t>(1, std::min(groups, 4 * threads));
  return 16 * ((groups + slabs - 1) / slabs);
}

void dnnlLinear(State& s, const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias, at::Tensor& out,
                LinearEpilogue epilogue) {
  AsyncSignalsBlocked shield;  // oneDNN's generated gemm kernels and signals: SignalShield.hpp
  const auto m = a.size(0), k = a.size(1), n = weight.size(0);
  const auto srcType = dnnlType(a.scalar_type()), dstType = dnnlType(out.scalar_type());
  const auto weightType = dnnlType(weight.scalar_type());
  // The work as tiles of rows x columns: for fp32 up to 256 rows by a slab of columns, for
  // bf16 row chunks of all columns.
  const bool slabs = srcType == memory::data_type::f32;
  const std::int64_t rows = slabs ? tileRows(m) : chunkRows(m), columns = slabs ? slabColumns(n) : n;
  const std::int64_t rowTiles = (m + rows - 1) / rows, columnTiles = (n + columns - 1) / columns;
  const std::int64_t lastRows = m - (rowTiles - 1) * rows, lastColumns = n - (columnTiles - 1) * columns;

  // Primitives for a whole tile and for the short last one, made single-threaded (this
  // thread's OpenMP team size is 1 here): the tiles are the parallelism (ChunkPool.hpp).
  SerialOpenMpScope serial;
  struct Kernel {
    dnnl::matmul primitive;
    memory::desc weights, bias, scratchpad;
  };
  const auto kernelFor = [&](std::int64_t r, std::int64_t c) {
    const State::Key key{weight.unsafeGetTensorImpl(), r, c, static_cast<int>(epilogue), static_cast<int>(srcType),
                         static_cast<int>(dstType)};
    auto it = s.primitives.find(key);
    if (it == s.primitives.end()) {
      dnnl::post_ops ops;
      if (epilogue == LinearEpilogue::BiasGelu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_gelu_erf, 0.f, 0.f);
      if (epilogue == LinearEpilogue::BiasAccumulate) ops.append_sum(1.f);
      dnnl::primitive_attr attr;
      attr.set_post_ops(ops);
      attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
      const memory::desc src({r, k}, srcType, memory::format_tag::ab), dst({r, c}, dstType, memory::dims{n, 1});
      const memory::desc anyWeights({k, c}, weightType, memory::format_tag::any);
      const memory::desc biasDesc({1, c}, memory::data_type::f32, memory::format_tag::ab);
      const auto desc = bias.defined() ? dnnl::matmul::desc(src, anyWeights, biasDesc, dst)
                                       : dnnl::matmul::desc(src, anyWeights, dst);
      dnnl::matmul::primitive_desc pd(desc, attr, s.engine);
      it = s.primitives.emplace(key, std::make_pair(pd, dnnl::matmul(pd))).first;
    }
    const auto& pd = it->second.first;
    return Kernel{it->second.second, pd.weights_desc(), {{1, c}, memory::data_type::f32, memory::format_tag::ab},
                  pd.scratchpad_desc()};
  };
  const auto isLastRow = [&](std::int64_t t) { return t / columnTiles + 1 == rowTiles; };
  const auto isLastColumn = [&](std::int64_t t) { return t % columnTiles + 1 == columnTiles; };
  Kernel kernels[2][2];  // [last row tile][last column tile]
  // Each column tile's weights in the layout the primitives ask for (the short last row
  // tile's primitive may ask for another): handles sharing the cache's buffers.
  std::vector<memory> packed[2];
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    for (int lr = 0; lr < 2; ++lr) {
      for (int lc = 0; lc < 2; ++lc) kernels[lr][lc] = kernelFor(lr ? lastRows : rows, lc ? lastColumns : columns);
      for (std::int64_t c = 0; c < columnTiles; ++c)
        packed[lr].push_back(s.packedWeight(weight, kernels[lr][c + 1 == columnTiles].weights, c * columns));
    }
  }

  // The bias is read as fp32 (a bf16 bias is widened once per call: N values).
  const at::Tensor bias32 = bias.defined() ? bias.to(at::kFloat).contiguous() : bias;
  const auto* srcBase = static_cast<const char*>(a.data_ptr());
  auto* dstBase = static_cast<char*>(out.data_ptr());
  const std::size_t srcRowBytes = k * a.element_size(), dstRowBytes = n * out.element_size();
  runChunks(static_cast<int>(rowTiles * columnTiles), [&](int t) {
    const std::int64_t row = t / columnTiles * rows, column = t % columnTiles * columns;
    const Kernel& kernel = kernels[isLastRow(t)][isLastColumn(t)];
    const std::int64_t r = isLastRow(t) ? lastRows : rows, c = isLastColumn(t) ? lastColumns : columns;
    auto& executor = ThreadExecutor::get();
    auto& scratch = threadScratchpad(kernel.scratchpad.get_size());
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC,
         executor.wrap(DNNL_ARG_SRC, {{r, k}, srcType, memory::format_tag::ab}, srcBase + row * srcRowBytes)},
        {DNNL_ARG_WEIGHTS, packed[isLastRow(t)][t % columnTiles]},
        {DNNL_ARG_DST, executor.wrap(DNNL_ARG_DST, {{r, c}, dstType, memory::dims{n, 1}},
                                     dstBase + row * dstRowBytes + column * out.element_size())},
        {DNNL_ARG_SCRATCHPAD, executor.wrap(DNNL_ARG_SCRATCHPAD, kernel.scratchpad, scratch.data())}};
    if (bias32.defined())
      args.emplace(DNNL_ARG_BIAS,
                   executor.wrap(DNNL_ARG_BIAS, kernel.bias, bias32.data_ptr<float>() + column));
    executor.execute(kernel.primitive, args);
  });
}

void dnnlAttention(State& s, const at::Tensor& qkv, std::int64_t b, std::int64_t t, std::int64_t heads,
                   at::Tensor& out) {
  AsyncSignalsBlocked shield;  // SignalShield.hpp
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
  const std::size_t bytes = qkv.element_size(), headBytes = hd * bytes, rowBytes = 3 * d * bytes;
  const bool rounded = type != at::kFloat;
  const std::size_t denseBytes = 3 * t * headBytes, scoresBytes = t * t * sizeof(float);
  runChunks(static_cast<int>(b * heads), [&](int c) {
    const std::int64_t image = c / heads, head = c % heads;
    // This thread's buffers: the head's q, k, v copied dense (the context then overwrites q),
    // the fp32 scores, and the probabilities in the operand type (bf16: a third buffer;
    // fp32: the scores themselves). Plain row copies: with ATen's copy_ and softmax per head,
    // their dispatch cost as much as the copying.
    thread_local std::vector<char> buffer;
    const std::size_t probabilityBytes = rounded ? t * t * bytes : 0;
    if (buffer.size() < denseBytes + scoresBytes + probabilityBytes)
      buffer.resize(denseBytes + scoresBytes + probabilityBytes);
    char* q = buffer.data();
    auto* scores = reinterpret_cast<float*>(q + denseBytes);
    char* probabilities = rounded ? q + denseBytes + scoresBytes : reinterpret_cast<char*>(scores);
    const char* rows = base + (image * t * 3 * d + head * hd) * bytes;
    for (int part = 0; part < 3; ++part)
      for (std::int64_t row = 0; row < t; ++row)
        std::memcpy(q + (part * t + row) * headBytes, rows + row * rowBytes + part * d * bytes, headBytes);
    auto& executor = ThreadExecutor::get();
    auto& pad = threadScratchpad(std::max(kernels.scoresPad.get_size(), kernels.contextPad.get_size()));
    executor.execute(kernels.scores, {{DNNL_ARG_SRC, executor.wrap(DNNL_ARG_SRC, kernels.q, q)},
                                      {DNNL_ARG_WEIGHTS, executor.wrap(DNNL_ARG_WEIGHTS, kernels.kT, q + t * headBytes)},
                                      {DNNL_ARG_DST, executor.wrap(DNNL_ARG_DST, kernels.s, scores)},
                                      {DNNL_ARG_SCRATCHPAD, executor.wrap(DNNL_ARG_SCRATCHPAD, kernels.scoresPad, pad.data())}});
    if (rounded)
      softmaxRows(scores, t, t, reinterpret_cast<std::uint16_t*>(probabilities));
    else
      softmaxRows(scores, t, t, scores);
    executor.execute(kernels.context,
                     {{DNNL_ARG_SRC, executor.wrap(DNNL_ARG_SRC, kernels.p, probabilities)},
                      {DNNL_ARG_WEIGHTS, executor.wrap(DNNL_ARG_WEIGHTS, kernels.v, q + 2 * t * headBytes)},
                      {DNNL_ARG_DST, executor.wrap(DNNL_ARG_DST, kernels.out, q)},
                      {DNNL_ARG_SCRATCHPAD, executor.wrap(DNNL_ARG_SCRATCHPAD, kernels.contextPad, pad.data())}});
    char* dst = dstBase + (image * t * d + head * hd) * bytes;
    for (std::int64_t row = 0; row < t; ++row) std::memcpy(dst + row * d * bytes, q + row * headBytes, headBytes);
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
