#include "meridian/project/CaseChecks.hpp"

namespace meridian::project {

core::Result<std::vector<CaseCheck>> checkCases(const ProjectStore& store, const core::JobControl& job) {
  auto cases = store.listCases();
  if (!cases) return cases.error();
  const std::size_t total = cases.value().size();
  std::vector<CaseCheck> checks;
  checks.reserve(total);
  for (std::size_t i = 0; i < total; ++i) {
    if (job.cancelled())
      return core::makeError(core::ErrorCode::Cancelled,
                             "file check cancelled after " + std::to_string(i) + " of " + std::to_string(total) + " cases");
    auto check = store.checkCase(cases.value()[i].id);
    if (!check) return check.error();
    checks.push_back(std::move(check).value());
    job.report({"cases", i + 1, total, -1, {}});
  }
  return checks;
}

}  // namespace meridian::project
