#pragma once
// Which cases of the open project have a file that moved or changed: a "Check files" job
// (project::checkCases, the code behind `meridian-cli project check`) re-hashes every case
// off the UI thread when a project opens; the case browser marks those cases with a ⚠ and
// the reason as a tooltip, and the window asks before opening one (its labels, annotations
// and predictions were made on the file as it was).

#include <QObject>

#include <map>

#include "meridian/project/ProjectRecords.hpp"

namespace meridian::project {
class ProjectStore;
}

namespace meridian::ui {

class JobsPanel;

class CaseFileChecks : public QObject {
  Q_OBJECT
 public:
  explicit CaseFileChecks(JobsPanel& jobs, QObject* parent = nullptr);

  /// Checks every case of `store` as a job (the store must outlive it: closing a project
  /// ends its jobs first). Earlier results are dropped.
  void start(project::ProjectStore& store);
  void clear();
  /// The case's problem (Changed or Missing), or nullptr when it is unchanged or not checked yet.
  const project::CaseCheck* problem(project::CaseId id) const;
  /// True once a check has ended since the project opened or was made (at once when it has no
  /// cases: a new project).
  bool done() const { return done_; }

 Q_SIGNALS:
  /// A check ended; `problems` cases are missing or changed.
  void checked(int problems);
  void statusMessage(QString text);

 private:
  JobsPanel& jobs_;
  std::map<project::CaseId, project::CaseCheck> problems_;
  int generation_ = 0;  // results of a check started for an earlier project are dropped
  bool done_ = false;
};

}  // namespace meridian::ui
