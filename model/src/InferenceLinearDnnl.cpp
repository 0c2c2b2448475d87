// oneDNN implementation of InferenceLinear.hpp (see there for why).
#include <dnnl.hpp>

#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "InferenceLinear.hpp"

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

}  // namespace

struct LinearCache::State {
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

LinearCache::LinearCache() : state_(std::make_unique<State>()) {}
LinearCache::~LinearCache() = default;

const char* inferenceLinearBackend() { return "onednn"; }

void inferenceLinear(LinearCache& cache, const at::Tensor& a, const at::Tensor& weight, const at::Tensor& bias,
                     at::Tensor& out, LinearEpilogue epilogue) {
  auto& s = cache.state();
  const auto m = a.size(0), k = a.size(1), n = weight.size(0);
  const auto srcType = dnnlType(a.scalar_type()), dstType = dnnlType(out.scalar_type());
  const memory::desc srcDesc({m, k}, srcType, memory::format_tag::ab);
  const memory::desc dstDesc({m, n}, dstType, memory::format_tag::ab);
  const memory::desc biasDesc({1, n}, memory::data_type::f32, memory::format_tag::ab);

  dnnl::matmul primitive;
  memory packed;  // a handle: shares the cache's buffer
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    const LinearCache::State::Key key{weight.unsafeGetTensorImpl(), m, static_cast<int>(epilogue), static_cast<int>(srcType),
                         static_cast<int>(dstType)};
    auto it = s.primitives.find(key);
    if (it == s.primitives.end()) {
      dnnl::post_ops ops;
      if (epilogue == LinearEpilogue::BiasGelu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_gelu_erf, 0.f, 0.f);
      if (epilogue == LinearEpilogue::BiasAccumulate) ops.append_sum(1.f);
      dnnl::primitive_attr attr;
      attr.set_post_ops(ops);
      const memory::desc anyWeights({k, n}, dnnlType(weight.scalar_type()), memory::format_tag::any);
      const auto desc = bias.defined() ? dnnl::matmul::desc(srcDesc, anyWeights, biasDesc, dstDesc)
                                       : dnnl::matmul::desc(srcDesc, anyWeights, dstDesc);
      dnnl::matmul::primitive_desc pd(desc, attr, s.engine);
      it = s.primitives.emplace(key, std::make_pair(pd, dnnl::matmul(pd))).first;
    }
    primitive = it->second.second;
    packed = s.packedWeight(weight, it->second.first.weights_desc());
  }

  // The bias is read as fp32 (a bf16 model keeps fp32 biases in its cast copy, see
  // MatmulWeightCast; a bf16 bias is widened once per call, N values).
  const at::Tensor bias32 = bias.defined() ? bias.to(at::kFloat).contiguous() : bias;
  memory src(srcDesc, s.engine, const_cast<void*>(a.data_ptr()));
  memory dst(dstDesc, s.engine, out.data_ptr());
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, packed}, {DNNL_ARG_DST, dst}};
  if (bias32.defined()) args.emplace(DNNL_ARG_BIAS, memory(biasDesc, s.engine, const_cast<void*>(bias32.data_ptr())));
  primitive.execute(s.stream, args);
  s.stream.wait();
}

}  // namespace meridian::model
