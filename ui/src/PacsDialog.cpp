#include "meridian/ui/PacsDialog.hpp"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "meridian/pacs/PacsProject.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/JobsPanel.hpp"

namespace meridian::ui {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }
QString countText(int n) { return n < 0 ? QStringLiteral("–") : QString::number(n); }

QTableWidget* makeTable(const QStringList& headers, const char* name) {
  auto* table = new QTableWidget(0, headers.size());
  table->setObjectName(QString::fromLatin1(name));
  table->setHorizontalHeaderLabels(headers);
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->setSelectionMode(QAbstractItemView::SingleSelection);
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table->verticalHeader()->setVisible(false);
  table->horizontalHeader()->setStretchLastSection(true);
  return table;
}

void setRow(QTableWidget* table, int row, const QStringList& cells) {
  for (int c = 0; c < cells.size(); ++c) table->setItem(row, c, new QTableWidgetItem(cells[c]));
}

}  // namespace

pacs::PacsServer loadPacsServer() {
  QSettings settings;
  pacs::PacsServer s;
  s.host = settings.value(QStringLiteral("pacs/host"), q(s.host)).toString().toStdString();
  s.port = settings.value(QStringLiteral("pacs/port"), s.port).toInt();
  s.calledAe = settings.value(QStringLiteral("pacs/calledAe"), q(s.calledAe)).toString().toStdString();
  s.callingAe = settings.value(QStringLiteral("pacs/callingAe"), q(s.callingAe)).toString().toStdString();
  s.timeoutSeconds = settings.value(QStringLiteral("pacs/timeoutSeconds"), s.timeoutSeconds).toInt();
  return s;
}

void savePacsServer(const pacs::PacsServer& s) {
  QSettings settings;
  settings.setValue(QStringLiteral("pacs/host"), q(s.host));
  settings.setValue(QStringLiteral("pacs/port"), s.port);
  settings.setValue(QStringLiteral("pacs/calledAe"), q(s.calledAe));
  settings.setValue(QStringLiteral("pacs/callingAe"), q(s.callingAe));
  settings.setValue(QStringLiteral("pacs/timeoutSeconds"), s.timeoutSeconds);
}

PacsDialog::PacsDialog(CaseBrowser& cases, JobsPanel& jobs, QWidget* parent)
    : QDialog(parent), cases_(cases), jobs_(jobs) {
  setObjectName(QStringLiteral("pacsDialog"));
  setWindowTitle(tr("PACS"));
  auto* layout = new QVBoxLayout(this);

  auto* serverBox = new QGroupBox(tr("Server (kept in the preferences)"));
  auto* serverForm = new QHBoxLayout(serverBox);
  host_ = new QLineEdit;
  port_ = new QSpinBox;
  port_->setRange(1, 65535);
  calledAe_ = new QLineEdit;
  callingAe_ = new QLineEdit;
  for (QLineEdit* ae : {calledAe_, callingAe_}) ae->setMaxLength(16);
  timeout_ = new QSpinBox;
  timeout_->setRange(1, 3600);
  timeout_->setSuffix(tr(" s"));
  // 0 = C-GET; a port = C-MOVE, received there (the PACS must list Meridian's AE with it).
  movePort_ = new QSpinBox;
  movePort_->setObjectName(QStringLiteral("pacsMovePort"));
  movePort_->setRange(0, 65535);
  movePort_->setSpecialValueText(tr("C-GET"));
  movePort_->setToolTip(tr("C-GET, or the port Meridian receives a C-MOVE on"));
  movePort_->setValue(QSettings().value(QStringLiteral("pacs/movePort"), 0).toInt());
  auto* echoButton = new QPushButton(tr("Echo"));
  echoButton->setObjectName(QStringLiteral("pacsEcho"));
  for (auto [label, field] : {std::pair{tr("Host"), static_cast<QWidget*>(host_)}, {tr("Port"), port_},
                              {tr("PACS AE"), calledAe_}, {tr("Meridian AE"), callingAe_}, {tr("Timeout"), timeout_},
                              {tr("Retrieve by"), movePort_}}) {
    serverForm->addWidget(new QLabel(label));
    serverForm->addWidget(field);
  }
  serverForm->addWidget(echoButton);
  layout->addWidget(serverBox);

  auto* queryBox = new QGroupBox(tr("Find studies (empty fields match all; * and ? are wildcards)"));
  auto* queryForm = new QHBoxLayout(queryBox);
  patientId_ = new QLineEdit;
  patientName_ = new QLineEdit;
  studyDate_ = new QLineEdit;
  studyDate_->setPlaceholderText(QStringLiteral("YYYYMMDD[-YYYYMMDD]"));
  modality_ = new QLineEdit;
  auto* findButton = new QPushButton(tr("Find"));
  findButton->setObjectName(QStringLiteral("pacsFind"));
  findButton->setDefault(true);
  for (auto [label, field] : {std::pair{tr("Patient ID"), patientId_}, {tr("Name"), patientName_},
                              {tr("Date"), studyDate_}, {tr("Modality"), modality_}}) {
    queryForm->addWidget(new QLabel(label));
    queryForm->addWidget(field);
  }
  queryForm->addWidget(findButton);
  layout->addWidget(queryBox);

  studies_ = makeTable({tr("Date"), tr("Patient ID"), tr("Patient name"), tr("Modalities"), tr("Series"),
                        tr("Instances"), tr("Description"), tr("Study UID")},
                       "pacsStudies");
  series_ = makeTable({tr("Number"), tr("Modality"), tr("Instances"), tr("Description"), tr("Series UID")},
                      "pacsSeries");
  layout->addWidget(new QLabel(tr("Studies")));
  layout->addWidget(studies_, 3);
  layout->addWidget(new QLabel(tr("Series of the selected study (select one to retrieve only it)")));
  layout->addWidget(series_, 2);

  auto* actions = new QHBoxLayout;
  retrieve_ = new QPushButton(tr("Retrieve into project"));
  retrieve_->setObjectName(QStringLiteral("pacsRetrieve"));
  send_ = new QPushButton(tr("Send current case's SR"));
  send_->setObjectName(QStringLiteral("pacsSend"));
  auto* close = new QPushButton(tr("Close"));
  actions->addWidget(retrieve_);
  actions->addWidget(send_);
  actions->addStretch();
  actions->addWidget(close);
  layout->addLayout(actions);
  status_ = new QLabel;
  status_->setObjectName(QStringLiteral("pacsStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(status_);

  setServer(loadPacsServer());
  auto report = [this](const core::Result<core::JobId>& started) {
    if (!started) showStatus(false, q(started.error().message));
  };
  connect(echoButton, &QPushButton::clicked, this, [this, report] { report(echo()); });
  connect(findButton, &QPushButton::clicked, this, [this, report] { report(find()); });
  connect(retrieve_, &QPushButton::clicked, this, [this, report] { report(retrieveSelected()); });
  connect(send_, &QPushButton::clicked, this, [this, report] { report(sendCurrentCase()); });
  connect(close, &QPushButton::clicked, this, &QDialog::close);
  connect(studies_, &QTableWidget::itemSelectionChanged, this, [this, report] {
    series_->setRowCount(0);
    seriesRows_.clear();
    if (!selectedStudyUid().empty()) report(findSeriesOfSelectedStudy());
  });
  resize(1100, 620);
}

pacs::PacsServer PacsDialog::server() const {
  pacs::PacsServer s;
  s.host = host_->text().trimmed().toStdString();
  s.port = port_->value();
  s.calledAe = calledAe_->text().trimmed().toStdString();
  s.callingAe = callingAe_->text().trimmed().toStdString();
  s.timeoutSeconds = timeout_->value();
  return s;
}

void PacsDialog::setServer(const pacs::PacsServer& s) {
  host_->setText(q(s.host));
  port_->setValue(s.port);
  calledAe_->setText(q(s.calledAe));
  callingAe_->setText(q(s.callingAe));
  timeout_->setValue(s.timeoutSeconds);
}

pacs::StudyQuery PacsDialog::query() const {
  pacs::StudyQuery query;
  query.patientId = patientId_->text().trimmed().toStdString();
  query.patientName = patientName_->text().trimmed().toStdString();
  query.studyDate = studyDate_->text().trimmed().toStdString();
  query.modality = modality_->text().trimmed().toStdString();
  return query;
}

void PacsDialog::setQuery(const pacs::StudyQuery& query) {
  patientId_->setText(q(query.patientId));
  patientName_->setText(q(query.patientName));
  studyDate_->setText(q(query.studyDate));
  modality_->setText(q(query.modality));
}

core::Result<core::JobId> PacsDialog::start(const QString& action, const QString& title, core::JobFunction work,
                                            std::function<QString()> describeSuccess, std::function<void()> onSuccess) {
  const pacs::PacsServer s = server();
  if (auto valid = pacs::validate(s); !valid) return valid.error();
  savePacsServer(s);
  showStatus(true, tr("%1…").arg(title));
  return jobs_.submit(title, std::move(work),
                      [this, action, describeSuccess, onSuccess](const core::JobStatus& status) {
                        const bool ok = status.state == core::JobState::Succeeded;
                        if (ok && onSuccess) onSuccess();
                        const QString text = ok ? describeSuccess()
                                                : q(status.error ? status.error->message : "the PACS job failed");
                        showStatus(ok, text);
                        Q_EMIT statusMessage(text);
                        Q_EMIT finished(action, ok, text);
                      });
}

core::Result<core::JobId> PacsDialog::echo() {
  const pacs::PacsServer s = server();
  return start(
      QStringLiteral("echo"), tr("PACS echo"), [s](const core::JobControl&) { return pacs::echo(s); },
      [s] { return tr("C-ECHO: %1 answered.").arg(q(s.describe())); });
}

core::Result<core::JobId> PacsDialog::find() {
  const pacs::PacsServer s = server();
  const pacs::StudyQuery keys = query();
  auto found = std::make_shared<std::vector<pacs::StudyMatch>>();
  return start(
      QStringLiteral("find"), tr("PACS find"),
      [s, keys, found](const core::JobControl&) -> core::Status {
        auto r = pacs::findStudies(s, keys);
        if (!r) return r.error();
        *found = std::move(r).value();
        return core::Ok{};
      },
      [found] { return tr("%n study(ies) found.", nullptr, static_cast<int>(found->size())); },
      [this, found] {
        studyRows_ = *found;
        showStudies();
      });
}

core::Result<core::JobId> PacsDialog::findSeriesOfSelectedStudy() {
  const std::string study = selectedStudyUid();
  if (study.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "select a study first");
  const pacs::PacsServer s = server();
  auto found = std::make_shared<std::vector<pacs::SeriesMatch>>();
  return start(
      QStringLiteral("series"), tr("PACS series"),
      [s, study, found](const core::JobControl&) -> core::Status {
        auto r = pacs::findSeries(s, study);
        if (!r) return r.error();
        *found = std::move(r).value();
        return core::Ok{};
      },
      [found] { return tr("%n series in the selected study.", nullptr, static_cast<int>(found->size())); },
      [this, study, found] {
        if (selectedStudyUid() != study) return;  // the selection moved on meanwhile
        seriesRows_ = *found;
        showSeries();
      });
}

core::Result<core::JobId> PacsDialog::retrieveSelected() {
  project::ProjectStore* store = cases_.store();
  if (store == nullptr) return core::makeError(core::ErrorCode::InvalidArgument, "open a project first: retrieved studies become its cases");
  const pacs::RetrieveRequest request{selectedStudyUid(), selectedSeriesUid(), movePort_->value()};
  QSettings().setValue(QStringLiteral("pacs/movePort"), request.movePort);
  if (request.studyUid.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "select a study to retrieve");
  const pacs::PacsServer s = server();
  auto summary = std::make_shared<pacs::ProjectRetrieveSummary>();
  return start(
      QStringLiteral("retrieve"), request.seriesUid.empty() ? tr("PACS retrieve study") : tr("PACS retrieve series"),
      [store, s, request, summary](const core::JobControl& job) -> core::Status {
        auto r = pacs::retrieveIntoProject(*store, s, request, job);
        if (!r) return r.error();
        *summary = std::move(r).value();
        return core::Ok{};
      },
      [summary, request] {
        return tr("Retrieved %1 object(s) by %4; %2 case(s) added, %3 already in the project.")
            .arg(summary->objects)
            .arg(summary->imported.added.size())
            .arg(summary->imported.alreadyPresent.size())
            .arg(request.movePort > 0 ? QStringLiteral("C-MOVE") : QStringLiteral("C-GET"));
      },
      [this] { cases_.refresh(); });
}

core::Result<core::JobId> PacsDialog::sendCurrentCase() {
  project::ProjectStore* store = cases_.store();
  if (store == nullptr) return core::makeError(core::ErrorCode::InvalidArgument, "open a project first");
  const auto caseId = cases_.currentCase();
  if (!caseId) return core::makeError(core::ErrorCode::InvalidArgument, "select a case in the project to send its SR");
  const pacs::PacsServer s = server();
  auto summary = std::make_shared<pacs::CaseSendSummary>();
  const project::CaseId id = *caseId;
  return start(
      QStringLiteral("send"), tr("PACS send SR of case %1").arg(id),
      [store, s, id, summary](const core::JobControl& job) -> core::Status {
        auto r = pacs::sendCaseReport(*store, s, id, false, job);
        if (!r) return r.error();
        *summary = std::move(r).value();
        return core::Ok{};
      },
      [summary, id, s] {
        return tr("Sent the SR of case %1 to %2 (SOP instance %3).")
            .arg(id)
            .arg(q(s.describe()))
            .arg(q(summary->srSopInstanceUid));
      });
}

void PacsDialog::showStatus(bool ok, const QString& text) {
  status_->setStyleSheet(ok ? QString() : QStringLiteral("color: #b00020;"));
  status_->setText(text);
}

void PacsDialog::showStudies() {
  studies_->setRowCount(static_cast<int>(studyRows_.size()));
  for (int r = 0; r < static_cast<int>(studyRows_.size()); ++r) {
    const auto& m = studyRows_[static_cast<std::size_t>(r)];
    setRow(studies_, r,
           {q(m.studyDate), q(m.patientId), q(m.patientName), q(m.modalities), countText(m.seriesCount),
            countText(m.instanceCount), q(m.studyDescription), q(m.studyUid)});
  }
  studies_->resizeColumnsToContents();
}

void PacsDialog::showSeries() {
  series_->setRowCount(static_cast<int>(seriesRows_.size()));
  for (int r = 0; r < static_cast<int>(seriesRows_.size()); ++r) {
    const auto& m = seriesRows_[static_cast<std::size_t>(r)];
    setRow(series_, r,
           {countText(m.seriesNumber), q(m.modality), countText(m.instanceCount), q(m.seriesDescription),
            q(m.seriesUid)});
  }
  series_->resizeColumnsToContents();
}

std::string PacsDialog::selectedStudyUid() const {
  const auto rows = studies_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return {};
  const auto row = static_cast<std::size_t>(rows.front().row());
  return row < studyRows_.size() ? studyRows_[row].studyUid : std::string();
}

std::string PacsDialog::selectedSeriesUid() const {
  const auto rows = series_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return {};
  const auto row = static_cast<std::size_t>(rows.front().row());
  return row < seriesRows_.size() ? seriesRows_[row].seriesUid : std::string();
}

}  // namespace meridian::ui
