#pragma once
// Type-dispatched reads of raw pixel buffers, shared by Image2D and Volume.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

#include "meridian/core/PixelType.hpp"

namespace meridian::core::detail {

template <class Fn>
decltype(auto) dispatch(PixelType type, Fn&& fn) {
  switch (type) {
    case PixelType::UInt8: return fn(std::uint8_t{});
    case PixelType::Int16: return fn(std::int16_t{});
    case PixelType::UInt16: return fn(std::uint16_t{});
    case PixelType::Float32: break;
  }
  return fn(float{});
}

inline double componentAt(const std::uint8_t* bytes, PixelType type, std::size_t index) {
  return dispatch(type, [&](auto tag) {
    using T = decltype(tag);
    T v;
    std::memcpy(&v, bytes + index * sizeof(T), sizeof(T));
    return static_cast<double>(v);
  });
}

inline std::array<double, 2> componentRange(const std::uint8_t* bytes, PixelType type, std::size_t count) {
  if (count == 0) return {0.0, 0.0};
  return dispatch(type, [&](auto tag) {
    using T = decltype(tag);
    const T* p = reinterpret_cast<const T*>(bytes);
    const auto [lo, hi] = std::minmax_element(p, p + count);
    return std::array<double, 2>{static_cast<double>(*lo), static_cast<double>(*hi)};
  });
}

}  // namespace meridian::core::detail
