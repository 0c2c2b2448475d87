#include "UidRemapper.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace meridian::report::detail {

namespace {

// 128 bits as four 32-bit limbs (most significant first), printed in decimal by repeated
// division: portable, no __int128.
std::string uidFromLimbs(std::array<std::uint32_t, 4> limbs) {
  std::string digits;
  while (std::any_of(limbs.begin(), limbs.end(), [](std::uint32_t v) { return v != 0; })) {
    std::uint64_t remainder = 0;
    for (auto& limb : limbs) {
      const std::uint64_t current = (remainder << 32) | limb;
      limb = static_cast<std::uint32_t>(current / 10);
      remainder = current % 10;
    }
    digits.push_back(static_cast<char>('0' + remainder));
  }
  if (digits.empty()) digits = "0";
  std::reverse(digits.begin(), digits.end());
  return "2.25." + digits;
}

}  // namespace

std::string randomUid() {
  std::random_device device;
  std::array<std::uint32_t, 4> limbs{};
  for (auto& limb : limbs) limb = static_cast<std::uint32_t>(device());
  return uidFromLimbs(limbs);
}

std::string uidFromHex(const std::string& hex) {
  std::array<std::uint32_t, 4> limbs{};
  for (std::size_t i = 0; i < 4 && hex.size() >= 8 * (i + 1); ++i)
    limbs[i] = static_cast<std::uint32_t>(std::stoul(hex.substr(8 * i, 8), nullptr, 16));
  return uidFromLimbs(limbs);
}

std::string UidRemapper::remap(const std::string& original) {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto it = map_.find(original);
  if (it == map_.end()) it = map_.emplace(original, randomUid()).first;
  return it->second;
}

std::size_t UidRemapper::size() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return map_.size();
}

}  // namespace meridian::report::detail
