#pragma once
// Date shifting for the "Retain Longitudinal Temporal Information with Modified Dates" option of
// PS3.15 Annex E: every date moves by the same number of days, so intervals survive.

#include <optional>
#include <string>

namespace meridian::report::detail {

/// A DA value (YYYYMMDD) moved by `days`; nullopt when it is not a valid date.
std::optional<std::string> shiftDate(const std::string& da, int days);

/// A DT value (YYYYMMDD[HHMMSS[.F]][&ZZXX]) with its date part moved by `days`; the time and
/// offset stay; nullopt when it does not start with a valid date.
std::optional<std::string> shiftDateTime(const std::string& dt, int days);

}  // namespace meridian::report::detail
