#include "BasicProfile.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace meridian::report::detail {
namespace {

struct TableEntry {
  std::uint16_t group;
  std::uint16_t element;
  ProfileAction action;
  bool shiftableDate;
};

constexpr TableEntry kTable[] = {
#include "BasicProfileTable.inc"
};

std::uint32_t key(std::uint16_t group, std::uint16_t element) {
  return (std::uint32_t{group} << 16) | element;
}

}  // namespace

ProfileRule basicProfileRule(std::uint16_t group, std::uint16_t element) {
  if (group % 2 == 1) return {ProfileAction::Remove, false};                   // private attributes
  if ((group & 0xFF00) == 0x5000) return {ProfileAction::Remove, false};       // curve data
  if ((group & 0xFF00) == 0x6000 && (element == 0x3000 || element == 0x4000))  // overlay data, comments
    return {ProfileAction::Remove, false};
  const std::uint32_t wanted = key(group, element);
  const auto* it = std::lower_bound(std::begin(kTable), std::end(kTable), wanted,
                                    [](const TableEntry& e, std::uint32_t k) { return key(e.group, e.element) < k; });
  if (it == std::end(kTable) || key(it->group, it->element) != wanted) return {};
  return {it->action, it->shiftableDate};
}

ProfileAction resolve(ProfileAction action) {
  switch (action) {
    case ProfileAction::RemoveOrZero:
      return ProfileAction::Zero;
    case ProfileAction::RemoveOrDummy:
    case ProfileAction::RemoveOrZeroOrDummy:
    case ProfileAction::ZeroOrDummy:
      return ProfileAction::Dummy;
    default:
      return action;
  }
}

std::size_t basicProfileTableSize() {
  return std::size(kTable);
}

std::uint32_t basicProfileTableTag(std::size_t i) {
  return key(kTable[i].group, kTable[i].element);
}

}  // namespace meridian::report::detail
