#pragma once
// The Basic Application Level Confidentiality Profile (DICOM PS3.15 Annex E, Table E.1-1) as a
// lookup: what to do with one attribute, wherever it sits (top level or inside a sequence).

#include <cstdint>

namespace meridian::report::detail {

/// The table's action codes. Combined codes (X/Z, X/D, ...) let the choice follow the IOD's
/// attribute type; BasicProfile.cpp resolves them without IOD knowledge (see resolve()).
enum class ProfileAction {
  Keep,                 // not listed: retained
  Remove,               // X
  Zero,                 // Z: zero-length value
  Dummy,                // D: a non-identifying value of the same VR
  Uid,                  // U: a new UID, the same for the same original everywhere in the export
  RemoveOrZero,         // X/Z
  RemoveOrDummy,        // X/D
  RemoveOrZeroOrDummy,  // X/Z/D
  ZeroOrDummy,          // Z/D
  KeepWithUids,         // X/Z/U* (Referenced/Source Image Sequence): kept, UIDs inside remapped
};

struct ProfileRule {
  ProfileAction action = ProfileAction::Keep;
  /// The "Retain Longitudinal Temporal Information with Modified Dates" option applies: with a
  /// date shift, the value is shifted instead of the basic action.
  bool shiftableDate = false;
};

/// The rule for (group, element); private (odd-group) attributes, curve data (50xx) and overlay
/// data and comments (60xx,3000 / 60xx,4000) are Remove.
ProfileRule basicProfileRule(std::uint16_t group, std::uint16_t element);

/// The one action Meridian applies for a table code, without knowing the IOD's attribute types:
/// X/Z -> Z and X/D, X/Z/D, Z/D -> D, which leave nothing identifying and keep a Type 2 or
/// Type 1 attribute present, so the file stays valid for the viewers that read it back.
ProfileAction resolve(ProfileAction action);

/// How many attributes the table lists (for tests that walk all of it).
std::size_t basicProfileTableSize();
/// The i-th listed attribute's tag, as group << 16 | element.
std::uint32_t basicProfileTableTag(std::size_t i);

}  // namespace meridian::report::detail
