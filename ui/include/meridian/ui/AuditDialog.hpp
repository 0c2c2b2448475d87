#pragma once
// File ▸ Audit trail…: the open project's event log as a table (sequence, UTC time, user,
// event, case, what changed: the event's payload, which holds the old and new values), and a
// "Verify" button that runs the same check as `meridian-cli audit verify`
// (ProjectStore::verifyEvents, the hash chain) as a job. A broken chain is shown in red with the
// first event that does not verify selected.

#include <QDialog>
#include <QString>

#include "meridian/core/JobRunner.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/project/AuditChain.hpp"

class QLabel;
class QTableWidget;

namespace meridian::ui {

class CaseBrowser;
class JobsPanel;

class AuditDialog : public QDialog {
  Q_OBJECT
 public:
  AuditDialog(CaseBrowser& cases, JobsPanel& jobs, QWidget* parent = nullptr);

  /// Re-reads the project's events into the table (empty, with a note, without a project).
  core::Status reload();
  /// Verifies the chain as a job; `verified` says how it ended.
  core::Result<core::JobId> verify();

  QTableWidget* table() const { return table_; }
  QLabel* verdictLine() const { return verdict_; }

 Q_SIGNALS:
  void verified(bool intact, QString text);

 private:
  void showVerdict(const project::AuditVerdict& verdict);

  CaseBrowser& cases_;
  JobsPanel& jobs_;
  QTableWidget* table_ = nullptr;
  QLabel* verdict_ = nullptr;
};

}  // namespace meridian::ui
