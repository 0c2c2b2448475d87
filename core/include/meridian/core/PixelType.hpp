#pragma once
#include <cstddef>
#include <cstdint>

namespace meridian::core {

/// Voxel/pixel component types Meridian keeps in memory. Readers convert anything else
/// (int32, double, signed char, ...) to Float32 rather than inventing more cases.
enum class PixelType : std::uint8_t { UInt8, Int16, UInt16, Float32 };

constexpr std::size_t bytesPerComponent(PixelType t) {
  switch (t) {
    case PixelType::UInt8: return 1;
    case PixelType::Int16: return 2;
    case PixelType::UInt16: return 2;
    case PixelType::Float32: return 4;
  }
  return 0;
}

const char* toString(PixelType t);

}  // namespace meridian::core
