#pragma once
// Small typed readers for model.json: a missing key keeps the default, a present key of
// the wrong type is an error naming it (with its path, "provenance.seed").

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "meridian/core/Result.hpp"

namespace meridian::model::json_read {

inline core::Error badKey(const std::string& key, const std::string& what) {
  return core::makeError(core::ErrorCode::Corrupt, "model.json: '" + key + "' " + what);
}

template <class T>
core::Status number(const nlohmann::json& object, const std::string& prefix, const char* key, T& out) {
  const auto it = object.find(key);
  if (it == object.end()) return core::Ok{};
  if (!it->is_number()) return badKey(prefix + key, "must be a number");
  if (std::is_unsigned_v<T> && !it->is_number_unsigned()) return badKey(prefix + key, "must be a number >= 0");
  if constexpr (std::is_integral_v<T>) {
    // 1e12 or 3.7 for a width: converting either to int is undefined or silently wrong.
    if (!it->is_number_integer()) return badKey(prefix + key, "must be a whole number");
    if (it->is_number_unsigned() ? it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<T>::max())
                                 : (it->get<std::int64_t>() < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                                    it->get<std::int64_t>() > static_cast<std::int64_t>(std::numeric_limits<T>::max())))
      return badKey(prefix + key, "is out of range (" + it->dump() + ")");
  } else {
    // JSON has no NaN, but 1e999 parses as infinity, and float overflows earlier than double.
    const double value = it->get<double>();
    if (!std::isfinite(value) || std::fabs(value) > static_cast<double>(std::numeric_limits<T>::max()))
      return badKey(prefix + key, "must be a finite number (" + it->dump() + ")");
  }
  out = it->get<T>();
  return core::Ok{};
}

inline core::Status text(const nlohmann::json& object, const std::string& prefix, const char* key, std::string& out) {
  const auto it = object.find(key);
  if (it == object.end()) return core::Ok{};
  if (!it->is_string()) return badKey(prefix + key, "must be a string");
  out = it->get<std::string>();
  return core::Ok{};
}

}  // namespace meridian::model::json_read
