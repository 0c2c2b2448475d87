#include "FusedAdamW.hpp"

#include <ATen/Parallel.h>
#include <c10/util/C++17.h>

#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace meridian::model::train {

namespace {

// Elements per work item. Fixed, so the norm's partial sums (one per block) and their order do
// not depend on how many threads share the blocks; large enough that a block costs far more
// than handing it out.
constexpr std::int64_t kBlock = 1 << 15;

struct Block {
  std::size_t segment;
  std::int64_t begin, end;
};

template <typename Segment>
std::vector<Block> blocksOf(const std::vector<Segment>& segments) {
  std::vector<Block> blocks;
  for (std::size_t s = 0; s < segments.size(); ++s)
    for (std::int64_t b = 0; b < segments[s].size; b += kBlock)
      blocks.push_back({s, b, std::min(segments[s].size, b + kBlock)});
  return blocks;
}

void requireFloatContiguous(const at::Tensor& t, const char* what) {
  if (t.scalar_type() != at::kFloat || !t.is_contiguous() || !t.device().is_cpu())
    throw std::invalid_argument(std::string("fused AdamW: ") + what + " must be contiguous float32 on the CPU");
}

// One parameter's update. Constants are the float values torch's kernels convert their
// double scalars to, so each element goes through torch's operations in torch's order.
// Multiplying by a factor of exactly 1 (no decay, no clipping) changes no bit, so those two
// stay in the loop unconditionally, which keeps it branch-free for the vectoriser (with
// -fno-math-errno for this file, model/CMakeLists.txt: sqrt is then one instruction, IEEE
// correctly rounded as before).
struct Segment {
  float* param = nullptr;
  const float* grad = nullptr;  // null: no AdamW update (EMA only)
  float* avg = nullptr;
  float* avgSq = nullptr;
  float* teacher = nullptr;  // null: no EMA
  std::int64_t size = 0;
  float decay = 1;  // 1 - lr * weight_decay
  float scale = 1;  // the gradients' factor (clipping)
  float beta1 = 0, oneMinusBeta1 = 0, beta2 = 0, oneMinusBeta2 = 0;
  float biasCorrection2Sqrt = 1, eps = 0, negativeStepSize = 0;
  float momentum = 0, oneMinusMomentum = 0;
};

template <bool kAdam, bool kEma>
void updateRange(const Segment& s, std::int64_t begin, std::int64_t end) {
  float* __restrict param = s.param;
  const float* __restrict grad = s.grad;
  float* __restrict avg = s.avg;
  float* __restrict avgSq = s.avgSq;
  float* __restrict teacher = s.teacher;
  const float decay = s.decay, scale = s.scale, beta1 = s.beta1, oneMinusBeta1 = s.oneMinusBeta1;
  const float beta2 = s.beta2, oneMinusBeta2 = s.oneMinusBeta2, bc2 = s.biasCorrection2Sqrt, eps = s.eps;
  const float stepSize = s.negativeStepSize, momentum = s.momentum, oneMinusMomentum = s.oneMinusMomentum;
  for (std::int64_t i = begin; i < end; ++i) {
    float p = param[i];
    if constexpr (kAdam) {
      p = p * decay;                              // p.mul_(1 - lr * wd)
      const float g = grad[i] * scale;            // grad.mul_(clip coefficient)
      float m = avg[i] * beta1;                   // exp_avg.mul_(beta1)
      m = m + oneMinusBeta1 * g;                  //        .add_(grad, 1 - beta1)
      float v = avgSq[i] * beta2;                 // exp_avg_sq.mul_(beta2)
      v = v + oneMinusBeta2 * g * g;              //           .addcmul_(grad, grad, 1 - beta2)
      float denom = std::sqrt(v) / bc2;           // (exp_avg_sq.sqrt() / sqrt(bc2))
      denom = denom + eps;                        //   .add_(eps)
      p = p + stepSize * m / denom;               // p.addcdiv_(exp_avg, denom, -lr / bc1)
      avg[i] = m;
      avgSq[i] = v;
      param[i] = p;
    }
    if constexpr (kEma) teacher[i] = teacher[i] * momentum + oneMinusMomentum * p;  // t.mul_(m).add_(p, 1 - m)
  }
}

void update(const Segment& s, std::int64_t begin, std::int64_t end) {
  if (s.grad != nullptr && s.teacher != nullptr)
    updateRange<true, true>(s, begin, end);
  else if (s.grad != nullptr)
    updateRange<true, false>(s, begin, end);
  else if (s.teacher != nullptr)
    updateRange<false, true>(s, begin, end);
}

}  // namespace

double gradientNorm(const std::vector<at::Tensor>& parameters) {
  struct Squares {
    const float* data;
    std::int64_t size;
  };
  std::vector<Squares> segments;
  for (const auto& p : parameters) {
    const auto& g = p.grad();
    if (!g.defined()) continue;
    requireFloatContiguous(g, "a gradient");
    segments.push_back({g.data_ptr<float>(), g.numel()});
  }
  const auto blocks = blocksOf(segments);
  std::vector<double> partial(blocks.size(), 0.0);
  at::parallel_for(0, static_cast<std::int64_t>(blocks.size()), 1, [&](std::int64_t from, std::int64_t to) {
    for (auto b = from; b < to; ++b) {
      const auto& block = blocks[static_cast<std::size_t>(b)];
      const float* g = segments[block.segment].data;
      double sum = 0;
      for (auto i = block.begin; i < block.end; ++i) sum += static_cast<double>(g[i]) * g[i];
      partial[static_cast<std::size_t>(b)] = sum;
    }
  });
  double total = 0;
  for (const double s : partial) total += s;
  return std::sqrt(total);
}

void dropGradients(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups())
    for (auto& p : group.params()) p.mutable_grad().reset();
}

void fusedAdamWStep(torch::optim::AdamW& optimizer, double gradientScale, const EmaFollow* ema) {
  std::vector<Segment> segments;
  std::unordered_map<const void*, std::size_t> segmentOf;  // parameter -> its segment
  auto& state = optimizer.state();
  for (auto& group : optimizer.param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamWOptions&>(group.options());
    if (o.amsgrad()) throw std::invalid_argument("fused AdamW: amsgrad is not supported");
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    for (auto& p : group.params()) {
      const auto& g = p.grad();
      if (!g.defined()) continue;
      requireFloatContiguous(p, "a parameter");
      requireFloatContiguous(g, "a gradient");
      const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());  // how torch keys its state
      auto it = state.find(key);
      if (it == state.end()) {  // torch's lazy initialisation
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->exp_avg(at::zeros_like(p, at::MemoryFormat::Preserve));
        fresh->exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
        it = state.emplace(key, std::move(fresh)).first;
      }
      auto& adam = static_cast<torch::optim::AdamWParamState&>(*it->second);
      adam.step(adam.step() + 1);
      requireFloatContiguous(adam.exp_avg(), "exp_avg");
      requireFloatContiguous(adam.exp_avg_sq(), "exp_avg_sq");
      Segment s;
      s.param = p.data_ptr<float>();
      s.grad = g.data_ptr<float>();
      s.avg = adam.exp_avg().data_ptr<float>();
      s.avgSq = adam.exp_avg_sq().data_ptr<float>();
      s.size = p.numel();
      s.decay = static_cast<float>(1 - o.lr() * o.weight_decay());  // exactly 1 without decay
      s.scale = static_cast<float>(gradientScale);
      s.beta1 = static_cast<float>(beta1);
      s.oneMinusBeta1 = static_cast<float>(1 - beta1);
      s.beta2 = static_cast<float>(beta2);
      s.oneMinusBeta2 = static_cast<float>(1 - beta2);
      const auto step = static_cast<double>(adam.step());
      s.biasCorrection2Sqrt = static_cast<float>(std::sqrt(1 - std::pow(beta2, step)));
      s.eps = static_cast<float>(o.eps());
      s.negativeStepSize = static_cast<float>(-(o.lr() / (1 - std::pow(beta1, step))));
      segmentOf[p.unsafeGetTensorImpl()] = segments.size();
      segments.push_back(s);
    }
  }
  if (ema != nullptr)
    for (const auto& [student, teacher] : ema->pairs) {
      requireFloatContiguous(student, "an EMA student");
      requireFloatContiguous(teacher, "an EMA teacher");
      if (teacher.numel() != student.numel()) throw std::invalid_argument("fused AdamW: an EMA pair differs in size");
      const auto it = segmentOf.find(student.unsafeGetTensorImpl());
      Segment* s = nullptr;
      if (it != segmentOf.end()) {
        s = &segments[it->second];
      } else {  // no gradient: the teacher still follows the (unchanged) student
        segments.emplace_back();
        s = &segments.back();
        s->param = student.data_ptr<float>();
        s->size = student.numel();
      }
      s->teacher = teacher.data_ptr<float>();
      s->momentum = static_cast<float>(ema->momentum);
      s->oneMinusMomentum = static_cast<float>(1.0 - ema->momentum);
    }
  const auto blocks = blocksOf(segments);
  at::parallel_for(0, static_cast<std::int64_t>(blocks.size()), 1, [&](std::int64_t from, std::int64_t to) {
    for (auto b = from; b < to; ++b) {
      const auto& block = blocks[static_cast<std::size_t>(b)];
      update(segments[block.segment], block.begin, block.end);
    }
  });
  // The pass writes through raw pointers, which moves no version counter; the inference
  // engine keeps prepared copies of weights for as long as their version stays (InferenceLinear.hpp),
  // so without this a no-grad forward after the step (fine-tuning's fp32 validation, DINO's
  // fp32 teacher) ran on the weights of its first pass (issue 19).
  for (auto& group : optimizer.param_groups())
    for (auto& p : group.params())
      if (segmentOf.count(p.unsafeGetTensorImpl()) != 0) p.unsafeGetTensorImpl()->bump_version();
  if (ema != nullptr)
    for (const auto& pair : ema->pairs) pair.second.unsafeGetTensorImpl()->bump_version();
}

namespace {
bool isFloatContiguousCpu(const at::Tensor& t) {
  return t.scalar_type() == at::kFloat && t.is_contiguous() && t.device().is_cpu();
}
}  // namespace

bool fusedAdamWApplies(const torch::optim::AdamW& optimizer) {
  for (const auto& group : optimizer.param_groups()) {
    if (static_cast<const torch::optim::AdamWOptions&>(group.options()).amsgrad()) return false;
    for (const auto& p : group.params())
      if (p.grad().defined() && (!isFloatContiguousCpu(p) || !isFloatContiguousCpu(p.grad()))) return false;
  }
  return true;
}

void adamWStep(torch::optim::AdamW& optimizer) {
  if (fusedAdamWApplies(optimizer))
    fusedAdamWStep(optimizer, 1.0);
  else
    optimizer.step();
}

}  // namespace meridian::model::train
