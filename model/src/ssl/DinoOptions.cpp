#include "meridian/model/DinoOptions.hpp"

#include <cstdio>
#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace meridian::model {

namespace {

using FieldRef = std::variant<int*, double*, std::int64_t*, std::uint64_t*, std::string*>;

// One table for both directions, so a new option cannot be saved but not restored.
std::vector<std::pair<const char*, FieldRef>> fields(DinoOptions& o) {
  return {{"local_crops", &o.localCrops},
          {"global_crop_size", &o.globalCropSize},
          {"local_crop_size", &o.localCropSize},
          {"global_scale_min", &o.globalScaleMin},
          {"global_scale_max", &o.globalScaleMax},
          {"local_scale_min", &o.localScaleMin},
          {"local_scale_max", &o.localScaleMax},
          {"prototypes", &o.prototypes},
          {"head_hidden", &o.headHidden},
          {"head_bottleneck", &o.headBottleneck},
          {"student_temperature", &o.studentTemperature},
          {"teacher_temperature_start", &o.teacherTemperatureStart},
          {"teacher_temperature", &o.teacherTemperature},
          {"teacher_temperature_warmup_steps", &o.teacherTemperatureWarmupSteps},
          {"center_momentum", &o.centerMomentum},
          {"momentum_start", &o.momentumStart},
          {"learning_rate", &o.learningRate},
          {"min_learning_rate", &o.minLearningRate},
          {"warmup_steps", &o.warmupSteps},
          {"weight_decay_start", &o.weightDecayStart},
          {"weight_decay_end", &o.weightDecayEnd},
          {"clip_gradient", &o.clipGradient},
          {"freeze_last_layer_steps", &o.freezeLastLayerSteps},
          {"memory_size", &o.memorySize},
          {"memory_weight", &o.memoryWeight},
          {"memory_student_temperature", &o.memoryStudentTemperature},
          {"memory_teacher_temperature", &o.memoryTeacherTemperature},
          {"rehearsal_size", &o.rehearsalSize},
          {"rehearsal_fraction", &o.rehearsalFraction},
          {"rehearsal_image_size", &o.rehearsalImageSize},
          {"batch_size", &o.batchSize},
          {"epochs", &o.epochs},
          {"bf16", &o.bf16},
          {"seed", &o.seed},
          {"data_sha256", &o.dataSha256}};
}

std::string exact(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);  // round-trips bit for bit
  return buffer;
}

}  // namespace

std::map<std::string, std::string> DinoOptions::toMap() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, ref] : fields(const_cast<DinoOptions&>(*this))) {
    std::visit(
        [&, key = name](auto* field) {
          using T = std::remove_pointer_t<decltype(field)>;
          if constexpr (std::is_same_v<T, std::string>)
            out[key] = *field;
          else if constexpr (std::is_same_v<T, double>)
            out[key] = exact(*field);
          else
            out[key] = std::to_string(*field);
        },
        ref);
  }
  return out;
}

bool DinoOptions::fromMap(const std::map<std::string, std::string>& values) {
  for (const auto& [name, ref] : fields(*this)) {
    const auto it = values.find(name);
    if (it == values.end()) continue;
    const std::string& text = it->second;
    try {
      std::visit(
          [&](auto* field) {
            using T = std::remove_pointer_t<decltype(field)>;
            if constexpr (std::is_same_v<T, std::string>)
              *field = text;
            else if constexpr (std::is_same_v<T, double>)
              *field = std::stod(text);
            else if constexpr (std::is_same_v<T, int>)
              *field = std::stoi(text);
            else if constexpr (std::is_same_v<T, std::int64_t>)
              *field = std::stoll(text);
            else
              *field = std::stoull(text);
          },
          ref);
    } catch (const std::exception&) {
      return false;
    }
  }
  return true;
}

}  // namespace meridian::model
