#include "meridian/ui/CaseFileChecks.hpp"

#include <memory>
#include <vector>

#include "meridian/project/CaseChecks.hpp"
#include "meridian/ui/JobsPanel.hpp"

namespace meridian::ui {

CaseFileChecks::CaseFileChecks(JobsPanel& jobs, QObject* parent) : QObject(parent), jobs_(jobs) {}

void CaseFileChecks::start(project::ProjectStore& store) {
  clear();
  // A project with no cases (a new one) has nothing to re-hash: the check has ended, now. Without
  // this, done() stayed false for every project made with File ▸ New project, and whatever
  // waited for the check (the walk test, bench_model_panel) waited for ever.
  if (auto cases = store.listCases(); cases && cases.value().empty()) {
    done_ = true;
    Q_EMIT checked(0);
    return;
  }
  const int generation = generation_;
  project::ProjectStore* target = &store;
  auto result = std::make_shared<std::vector<project::CaseCheck>>();
  jobs_.submit(
      tr("Check files"),
      [target, result](const core::JobControl& control) -> core::Status {
        auto checks = project::checkCases(*target, control);
        if (!checks) return checks.error();
        *result = std::move(checks).value();
        return core::Ok{};
      },
      [this, generation, result](const core::JobStatus& job) {
        if (generation != generation_) return;  // another project opened meanwhile
        if (job.state != core::JobState::Succeeded) {
          if (job.error && job.state != core::JobState::Cancelled)
            Q_EMIT statusMessage(tr("Checking the cases' files failed: %1").arg(QString::fromStdString(job.error->message)));
          return;
        }
        for (const auto& check : *result)
          if (check.state != project::FileState::Unchanged) problems_[check.caseId] = check;
        done_ = true;
        if (!problems_.empty())
          Q_EMIT statusMessage(tr("%1 case(s) have a file that moved or changed since it was added (marked ⚠)")
                                   .arg(problems_.size()));
        Q_EMIT checked(static_cast<int>(problems_.size()));
      });
}

void CaseFileChecks::clear() {
  ++generation_;
  problems_.clear();
  done_ = false;
}

const project::CaseCheck* CaseFileChecks::problem(project::CaseId id) const {
  auto it = problems_.find(id);
  return it == problems_.end() ? nullptr : &it->second;
}

}  // namespace meridian::ui
