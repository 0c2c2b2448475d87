#include "DateShift.hpp"

#include <cctype>
#include <cstdio>

namespace meridian::report::detail {
namespace {

// Days since 1970-01-01 for a proleptic Gregorian date, and back (H. Hinnant's algorithms).
long daysFromCivil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

void civilFromDays(long z, long& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<long>(yoe) + era * 400 + (m <= 2);
}

bool isLeap(long y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned daysInMonth(long y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<std::string> shiftDate(const std::string& da, int days) {
  if (da.size() != 8) return std::nullopt;
  for (char c : da)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  const long y = std::stol(da.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoul(da.substr(4, 2)));
  const unsigned d = static_cast<unsigned>(std::stoul(da.substr(6, 2)));
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return std::nullopt;
  long ny = 0;
  unsigned nm = 0, nd = 0;
  civilFromDays(daysFromCivil(y, m, d) + days, ny, nm, nd);
  if (ny < 0 || ny > 9999) return std::nullopt;
  char out[16];
  std::snprintf(out, sizeof out, "%04ld%02u%02u", ny, nm, nd);
  return std::string(out);
}

std::optional<std::string> shiftDateTime(const std::string& dt, int days) {
  if (dt.size() < 8) return std::nullopt;
  auto date = shiftDate(dt.substr(0, 8), days);
  if (!date) return std::nullopt;
  return *date + dt.substr(8);
}

}  // namespace meridian::report::detail
