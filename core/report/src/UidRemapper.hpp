#pragma once
// New UIDs for an export: the same original UID always maps to the same new one, so the files of
// a study keep their study, series and frame-of-reference links (and references between them)
// after de-identification; the new UIDs carry nothing of the old ones.

#include <mutex>
#include <string>
#include <unordered_map>

namespace meridian::report::detail {

class UidRemapper {
 public:
  /// The new UID for `original` ("2.25." + a random 128-bit number, PS3.5 B.2), made on first use.
  std::string remap(const std::string& original);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> map_;
};

/// "2.25." followed by a fresh random 128-bit number in decimal (at most 44 characters).
std::string randomUid();

/// "2.25." followed by the first 128 bits of a hex digest (e.g. a SHA-256): the same input
/// gives the same UID, as a model's weights give its Device Observer UID.
std::string uidFromHex(const std::string& hex);

}  // namespace meridian::report::detail
