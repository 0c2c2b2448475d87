#include "meridian/ui/AuditDialog.hpp"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <memory>

#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/JobsPanel.hpp"

namespace meridian::ui {

namespace {
QString q(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

AuditDialog::AuditDialog(CaseBrowser& cases, JobsPanel& jobs, QWidget* parent)
    : QDialog(parent), cases_(cases), jobs_(jobs) {
  setObjectName(QStringLiteral("auditDialog"));
  setWindowTitle(tr("Audit trail"));
  auto* layout = new QVBoxLayout(this);
  table_ = new QTableWidget(0, 6);
  table_->setObjectName(QStringLiteral("auditEvents"));
  table_->setHorizontalHeaderLabels({tr("#"), tr("Time (UTC)"), tr("User"), tr("Event"), tr("Case"), tr("What changed")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->setVisible(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setWordWrap(false);
  layout->addWidget(table_);
  auto* buttons = new QHBoxLayout;
  auto* verifyButton = new QPushButton(tr("Verify"));
  verifyButton->setObjectName(QStringLiteral("auditVerify"));
  verifyButton->setToolTip(tr("Check the hash chain: any changed, removed or reordered event is found "
                              "(the same check as meridian-cli audit verify)"));
  auto* reloadButton = new QPushButton(tr("Reload"));
  auto* close = new QPushButton(tr("Close"));
  verdict_ = new QLabel;
  verdict_->setObjectName(QStringLiteral("auditVerdict"));
  verdict_->setWordWrap(true);
  verdict_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  buttons->addWidget(verifyButton);
  buttons->addWidget(reloadButton);
  buttons->addWidget(verdict_, 1);
  buttons->addWidget(close);
  layout->addLayout(buttons);
  connect(verifyButton, &QPushButton::clicked, this, [this] {
    auto started = verify();
    if (!started) verdict_->setText(q(started.error().message));
  });
  connect(reloadButton, &QPushButton::clicked, this, [this] { (void)reload(); });
  connect(close, &QPushButton::clicked, this, &QDialog::close);
  connect(&cases_, &CaseBrowser::projectChanged, this, [this] { (void)reload(); });
  resize(1100, 560);
  (void)reload();
}

core::Status AuditDialog::reload() {
  table_->setRowCount(0);
  verdict_->setStyleSheet(QString());
  project::ProjectStore* store = cases_.store();
  if (store == nullptr) {
    verdict_->setText(tr("Open a project to see its audit trail."));
    return core::makeError(core::ErrorCode::InvalidArgument, "open a project first");
  }
  auto events = store->events();
  if (!events) {
    verdict_->setText(q(events.error().message));
    return events.error();
  }
  const auto& list = events.value();
  table_->setRowCount(static_cast<int>(list.size()));
  for (int r = 0; r < static_cast<int>(list.size()); ++r) {
    const project::ProjectEvent& e = list[static_cast<std::size_t>(r)];
    const QStringList cells{QString::number(e.sequence), q(e.utc), e.actor.empty() ? tr("(unknown)") : q(e.actor),
                            q(e.kind), e.caseId ? QString::number(*e.caseId) : QString(), q(e.payloadJson)};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      if (c == 5) item->setToolTip(cells[c]);
      table_->setItem(r, c, item);
    }
  }
  table_->resizeColumnsToContents();
  table_->setColumnWidth(5, 520);
  verdict_->setText(tr("%n event(s). Verify checks the hash chain.", nullptr, static_cast<int>(list.size())));
  return core::Ok{};
}

core::Result<core::JobId> AuditDialog::verify() {
  project::ProjectStore* store = cases_.store();
  if (store == nullptr) return core::makeError(core::ErrorCode::InvalidArgument, "open a project first");
  auto verdict = std::make_shared<project::AuditVerdict>();
  verdict_->setStyleSheet(QString());
  verdict_->setText(tr("Verifying…"));
  return jobs_.submit(
      tr("Verify audit trail"),
      [store, verdict](const core::JobControl&) -> core::Status {
        auto r = store->verifyEvents();
        if (!r) return r.error();
        *verdict = std::move(r).value();
        return core::Ok{};
      },
      [this, verdict](const core::JobStatus& status) {
        if (status.state != core::JobState::Succeeded) {
          const QString text = q(status.error ? status.error->message : "the verification failed");
          verdict_->setStyleSheet(QStringLiteral("color: #b00020;"));
          verdict_->setText(text);
          Q_EMIT verified(false, text);
          return;
        }
        showVerdict(*verdict);
      });
}

void AuditDialog::showVerdict(const project::AuditVerdict& v) {
  QString text;
  if (v.intact) {
    text = tr("Intact: %1 event(s) verified; head hash %2").arg(v.eventsChecked).arg(q(v.headHash));
    verdict_->setStyleSheet(QStringLiteral("color: #1b5e20; font-weight: bold;"));
  } else {
    text = tr("TAMPERED from event %1: %2").arg(v.firstBrokenSequence).arg(q(v.problem));
    verdict_->setStyleSheet(QStringLiteral("color: #b00020; font-weight: bold;"));
    for (int r = 0; r < table_->rowCount(); ++r)
      if (table_->item(r, 0) && table_->item(r, 0)->text().toLongLong() == v.firstBrokenSequence) {
        table_->selectRow(r);
        table_->scrollToItem(table_->item(r, 0));
        break;
      }
  }
  verdict_->setText(text);
  Q_EMIT verified(v.intact, text);
}

}  // namespace meridian::ui
