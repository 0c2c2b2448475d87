#include "meridian/ui/ModelPanel.hpp"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ScrolledDockBody.hpp"
#include "BackgroundTask.hpp"
#include "meridian/io/MapReader.hpp"
#include "meridian/service/BundledModel.hpp"
#include "meridian/service/ModelServiceLoader.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/SliceCurveView.hpp"
#include "meridian/ui/ViewerStack.hpp"

namespace meridian::ui {
namespace {

QString q(const std::string& text) { return QString::fromStdString(text); }

/// A table cell that sorts by its number, not its text.
QTableWidgetItem* numberItem(double value, const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setData(Qt::DisplayRole, value);
  item->setData(Qt::ToolTipRole, text);
  return item;
}

}  // namespace

/// What the panel's jobs share with it: the one service (created by the first load job, on
/// its worker thread: opening the library maps LibTorch, ~1 s) and the results a job hands
/// back. Jobs run one at a time (busyJob_), so no two threads use the service at once.
struct ModelPanel::Shared {
  std::unique_ptr<service::ModelService> service;
  std::optional<service::ModelCardView> loadedCard;
  service::DeviceState device;
  std::string problem;
};

ModelPanel::ModelPanel(JobsPanel& jobs, CaseBrowser& cases, ViewerStack& viewers, QWidget* parent)
    : QDockWidget(tr("Model"), parent), jobs_(jobs), cases_(cases), viewers_(viewers), shared_(std::make_shared<Shared>()) {
  setObjectName(QStringLiteral("modelDock"));
  auto* body = new QWidget(this);
  auto* layout = new QVBoxLayout(body);
  auto* folderRow = new QHBoxLayout();
  folder_ = new QLineEdit(body);
  folder_->setPlaceholderText(tr("model folder (model.json + weights.safetensors)"));
  if (auto bundled = service::bundledModelFolder()) folder_->setText(q(bundled->string()));
  auto* choose = new QPushButton(tr("Choose…"), body);
  load_ = new QPushButton(tr("Load"), body);
  load_->setObjectName(QStringLiteral("loadModelButton"));
  folderRow->addWidget(folder_, 1);
  folderRow->addWidget(choose);
  folderRow->addWidget(load_);
  layout->addLayout(folderRow);
  problem_ = new QLabel(body);
  problem_->setWordWrap(true);
  problem_->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));
  problem_->hide();
  layout->addWidget(problem_);
  card_ = new QTextBrowser(body);
  card_->setPlaceholderText(tr("No model loaded. The bundled model is chosen above: press Load."));
  card_->setMaximumHeight(170);
  layout->addWidget(card_);

  auto* runRow = new QHBoxLayout();
  runCurrent_ = new QPushButton(tr("Run on case"), body);
  runSelection_ = new QPushButton(tr("Run on selection"), body);
  runAll_ = new QPushButton(tr("Run on all"), body);
  runCurrent_->setObjectName(QStringLiteral("runCaseButton"));
  runSelection_->setObjectName(QStringLiteral("runSelectionButton"));
  runAll_->setObjectName(QStringLiteral("runAllButton"));
  runCurrent_->setToolTip(tr("The case on screen; for a 2D image also its explanation map (the method chosen below)"));
  for (auto* b : {runCurrent_, runSelection_, runAll_}) runRow->addWidget(b);
  layout->addLayout(runRow);

  auto* explainRow = new QHBoxLayout();
  method_ = new QComboBox(body);
  method_->addItem(tr("CLS attention"), static_cast<int>(service::ExplainKind::ClsAttention));
  method_->addItem(tr("Attention rollout"), static_cast<int>(service::ExplainKind::Rollout));
  method_->addItem(tr("Gradient-weighted"), static_cast<int>(service::ExplainKind::GradientAttention));
  head_ = new QComboBox(body);
  class_ = new QComboBox(body);
  explain_ = new QPushButton(tr("Explain"), body);
  explain_->setObjectName(QStringLiteral("explainButton"));
  explainRow->addWidget(method_);
  explainRow->addWidget(head_);
  explainRow->addWidget(class_);
  explainRow->addWidget(explain_);
  layout->addLayout(explainRow);

  table_ = new QTableWidget(body);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSortingEnabled(true);
  table_->verticalHeader()->hide();
  table_->setMinimumHeight(110);
  curve_ = new SliceCurveView(body);
  curve_->hide();
  auto* split = new QSplitter(Qt::Vertical, body);
  split->addWidget(table_);
  split->addWidget(curve_);
  layout->addWidget(split, 1);
  setWidget(scrolledDockBody(body, this));  // tabbed with other docks (ScrolledDockBody.hpp)

  connect(choose, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Model folder"), folder_->text());
    if (!dir.isEmpty()) folder_->setText(dir);
  });
  auto report = [this](const core::Result<core::JobId>& started) {
    if (!started) showProblem(q(started.error().message));
  };
  connect(load_, &QPushButton::clicked, this, [this, report] { report(loadModel(folder_->text().toStdString())); });
  connect(runCurrent_, &QPushButton::clicked, this, [this, report] { report(runOnCurrentCase()); });
  connect(runSelection_, &QPushButton::clicked, this, [this, report] { report(runOnSelection()); });
  connect(runAll_, &QPushButton::clicked, this, [this, report] { report(runOnAllCases()); });
  connect(explain_, &QPushButton::clicked, this, [this, report] {
    const auto chosen = chosenExplanation();
    report(explainCurrentCase(chosen.method, chosen.head, chosen.className));
  });
  connect(method_, &QComboBox::currentIndexChanged, this, [this] { updateControls(); });
  connect(curve_, &SliceCurveView::sliceRequested, this, &ModelPanel::sliceRequested);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
    if (auto* item = table_->item(row, 0)) cases_.selectCase(item->data(Qt::UserRole).toLongLong());
  });
  connect(&cases_, &CaseBrowser::projectChanged, this, [this] { refreshResults(); });
  // After the window opened the case (its slot was connected first): its stored outputs.
  connect(&cases_, &CaseBrowser::openCaseRequested, this,
          [this](const project::CaseRecord& record) { showCaseOutputs(record.id); });
  updateControls();
}

ModelPanel::~ModelPanel() = default;

core::Status ModelPanel::ready(bool needModel) const {
  if (busyJob_)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "the model is busy with another job: wait for it or cancel it in the Jobs panel");
  if (needModel && !cardValue_) return core::makeError(core::ErrorCode::InvalidArgument, "no model is loaded: press Load first");
  if (needModel && cases_.store() == nullptr)
    return core::makeError(core::ErrorCode::InvalidArgument, "no project is open: open or create one (File menu) first");
  return core::Ok{};
}

core::Result<core::JobId> ModelPanel::submit(const QString& title, std::function<core::Status(const core::JobControl&)> work,
                                             std::function<void(const core::JobStatus&)> done) {
  problem_->hide();
  const core::JobId id = jobs_.submit(title, std::move(work), [this, done](const core::JobStatus& status) {
    busyJob_.reset();
    const bool ok = status.state == core::JobState::Succeeded;
    if (status.state == core::JobState::Failed && status.error) showProblem(q(status.error->message));
    if (status.state == core::JobState::Cancelled) Q_EMIT statusMessage(tr("%1: cancelled").arg(q(status.title)));
    done(status);
    updateControls();
    Q_EMIT jobEnded(ok);
  });
  busyJob_ = id;
  updateControls();
  return id;
}

core::Result<core::JobId> ModelPanel::loadModel(const std::filesystem::path& folder) {
  if (auto ok = ready(false); !ok) return ok.error();
  folder_->setText(q(folder.string()));
  const service::DeviceOptions device{device_, bf16_};
  auto shared = shared_;
  return submit(
      tr("Load model %1").arg(q(folder.filename().string())),
      [shared, folder, device](const core::JobControl& job) -> core::Status {
        job.report({"opening the model core", 0, 2, -1, ""});
        if (!shared->service) {
          auto made = service::createModelService();
          if (!made) return made.error();
          shared->service = std::move(made).value();
        }
        job.report({"loading " + folder.filename().string(), 1, 2, -1, ""});
        auto card = shared->service->loadModel(folder, device);
        if (!card) return card.error();
        shared->loadedCard = card.value();
        shared->device = shared->service->deviceState();
        return core::Ok{};
      },
      [this](const core::JobStatus& status) {
        if (status.state != core::JobState::Succeeded) return;
        cardValue_ = shared_->loadedCard;
        showCard();
        Q_EMIT deviceChanged(q(shared_->device.summary));
        Q_EMIT statusMessage(tr("Model %1 loaded on %2").arg(q(cardValue_->name), q(shared_->device.summary)));
      });
}

core::Result<core::JobId> ModelPanel::runOnCurrentCase() {
  if (!cases_.currentCase()) return core::makeError(core::ErrorCode::InvalidArgument, "no case is open: choose one in Cases");
  // A 2D image: its label and its map from one click (one job, the image read once).
  if (viewers_.currentKind() == viewers::ViewerKind::Image2D) return predictAndExplain(*cases_.currentCase());
  return predict({*cases_.currentCase()});
}

service::ExplainRequest ModelPanel::chosenExplanation() const {
  // The head applies to CLS attention only, the class to gradient-weighted attention only.
  service::ExplainRequest request;
  request.method = static_cast<service::ExplainKind>(method_->currentData().toInt());
  request.head = request.method == service::ExplainKind::ClsAttention && head_->count() ? head_->currentData().toInt() : -1;
  if (request.method == service::ExplainKind::GradientAttention && class_->count())
    request.className = class_->currentData().toString().toStdString();
  return request;
}

core::Result<core::JobId> ModelPanel::predictAndExplain(project::CaseId id) {
  if (auto ok = ready(true); !ok) return ok.error();
  project::ProjectStore* store = cases_.store();
  auto shared = shared_;
  service::PredictRequest predictRequest;
  predictRequest.cases = {id};
  service::ExplainRequest explainRequest = chosenExplanation();
  explainRequest.caseId = id;
  QPointer<ModelPanel> self(this);
  // Each result goes on screen from the worker as soon as it exists (a queued call), not at
  // the Jobs panel's next poll of the finished job.
  service::PredictCallbacks callbacks;
  callbacks.caseDone = [self](const service::CasePrediction&) {
    if (self) QMetaObject::invokeMethod(self.data(), [self] { if (self) self->refreshResults(); }, Qt::QueuedConnection);
  };
  return submit(
      tr("Predict and explain case %1").arg(id),
      [shared, store, predictRequest, explainRequest, callbacks, self](const core::JobControl& job) -> core::Status {
        auto predicted = shared->service->predict(*store, predictRequest, job, callbacks);
        if (!predicted) return predicted.error();
        if (predicted.value().done.empty())
          return core::makeError(core::ErrorCode::InvalidArgument,
                                 predicted.value().failed.empty() ? "the case was not predicted"
                                                                  : predicted.value().failed.front().reason);
        auto explained = shared->service->explain(*store, explainRequest, job);
        if (!explained) return explained.error();
        auto result = std::make_shared<service::ExplainResult>(std::move(explained).value());
        if (self)
          QMetaObject::invokeMethod(self.data(), [self, result] { if (self) self->showExplained(*result); },
                                    Qt::QueuedConnection);
        return core::Ok{};
      },
      [this, id](const core::JobStatus& status) {
        if (status.state != core::JobState::Succeeded) return;
        Q_EMIT statusMessage(tr("Case %1 predicted and explained").arg(id));
      });
}

void ModelPanel::showExplained(const service::ExplainResult& e) {
  if (cases_.currentCase() != e.caseId) return;  // another case is on screen now: its map is stored, not shown
  const core::Status shown = viewers_.setHeatmap(e.map);
  if (!shown) {
    showProblem(q(shown.error().message));
    return;
  }
  Q_EMIT statusMessage(tr("%1 (stored as %2)").arg(q(e.description), q(e.mapFile)));
}

core::Result<core::JobId> ModelPanel::runOnSelection() {
  std::vector<project::CaseId> ids;
  for (auto* item : cases_.tree()->selectedItems()) {
    bool ok = false;
    const qlonglong id = item->data(0, Qt::UserRole).toLongLong(&ok);
    if (ok && item->data(0, Qt::UserRole).isValid()) ids.push_back(id);
  }
  if (ids.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "no case is selected in Cases");
  return predict(ids);
}

core::Result<core::JobId> ModelPanel::runOnAllCases() { return predict({}); }

core::Result<core::JobId> ModelPanel::predict(std::vector<project::CaseId> ids) {
  if (auto ok = ready(true); !ok) return ok.error();
  project::ProjectStore* store = cases_.store();  // closing the project waits for this job (CaseBrowser)
  auto shared = shared_;
  service::PredictRequest request;
  request.cases = std::move(ids);
  const QString title = request.cases.empty() ? tr("Predict all cases")
                        : request.cases.size() == 1 ? tr("Predict case %1").arg(request.cases.front())
                                                    : tr("Predict %1 cases").arg(request.cases.size());
  QPointer<ModelPanel> self(this);
  service::PredictCallbacks callbacks;
  callbacks.caseDone = [self](const service::CasePrediction& p) {
    if (!self) return;
    QMetaObject::invokeMethod(self.data(), [self, id = p.caseId] {
      if (!self) return;
      self->refreshResults();
      if (self->cases_.currentCase() == id) self->showCaseOutputs(id);
    }, Qt::QueuedConnection);
  };
  callbacks.mapGrew = [self](project::CaseId id, const std::filesystem::path& file, std::size_t, std::size_t) {
    if (!self) return;
    QMetaObject::invokeMethod(self.data(), [self, id, path = q(file.string())] {
      if (self) self->showGrowingMap(id, path);
    }, Qt::QueuedConnection);
  };
  auto report = std::make_shared<service::PredictReport>();
  return submit(
      title,
      [shared, store, request, callbacks, report](const core::JobControl& job) -> core::Status {
        auto r = shared->service->predict(*store, request, job, callbacks);
        if (!r) return r.error();
        *report = std::move(r).value();
        if (report->done.empty() && !report->failed.empty()) {
          std::string why = report->failed.front().reason;
          if (report->failed.size() > 1) why += " (and " + std::to_string(report->failed.size() - 1) + " more)";
          return core::makeError(core::ErrorCode::InvalidArgument, why);
        }
        return core::Ok{};
      },
      [this, report](const core::JobStatus& status) {
        refreshResults();
        if (status.state != core::JobState::Succeeded) return;
        QString text = tr("Predicted %1 case(s)").arg(report->done.size());
        if (!report->failed.empty()) {
          text += tr("; %1 could not be: %2").arg(report->failed.size()).arg(q(report->failed.front().reason));
          showProblem(text);
        }
        Q_EMIT statusMessage(text);
      });
}

core::Result<core::JobId> ModelPanel::explainCurrentCase(service::ExplainKind method, int head, const std::string& className) {
  if (auto ok = ready(true); !ok) return ok.error();
  if (!cases_.currentCase()) return core::makeError(core::ErrorCode::InvalidArgument, "no case is open: choose one in Cases");
  project::ProjectStore* store = cases_.store();
  auto shared = shared_;
  service::ExplainRequest request;
  request.caseId = *cases_.currentCase();
  request.method = method;
  request.head = head;
  request.className = className;
  QPointer<ModelPanel> self(this);
  return submit(
      tr("Explain case %1 (%2)").arg(request.caseId).arg(q(service::toString(method))),
      [shared, store, request, self](const core::JobControl& job) -> core::Status {
        auto r = shared->service->explain(*store, request, job);
        if (!r) return r.error();
        // On screen as soon as it exists, not at the Jobs panel's next poll.
        auto result = std::make_shared<service::ExplainResult>(std::move(r).value());
        if (self)
          QMetaObject::invokeMethod(self.data(), [self, result] { if (self) self->showExplained(*result); },
                                    Qt::QueuedConnection);
        return core::Ok{};
      },
      [](const core::JobStatus&) {});
}

void ModelPanel::setDevice(const std::string& device, bool bf16) {
  device_ = device;
  bf16_ = bf16;
  if (!cardValue_ || busyJob_) return;  // applied at the next load
  auto shared = shared_;
  const service::DeviceOptions options{device, bf16};
  (void)submit(
      tr("Move model to %1").arg(q(device)),
      [shared, options](const core::JobControl&) -> core::Status {
        auto placed = shared->service->setDevice(options);
        if (!placed) return placed.error();
        shared->device = placed.value();
        return core::Ok{};
      },
      [this](const core::JobStatus& status) {
        if (status.state == core::JobState::Succeeded) Q_EMIT deviceChanged(q(shared_->device.summary));
      });
}

core::Result<DeviceOffer> ModelPanel::deviceOffer() {
  if (busyJob_) return core::makeError(core::ErrorCode::InvalidArgument, "the model is busy: try again when its job ends");
  auto shared = shared_;
  return runKeepingUiAlive(this, tr("Opening the model core…"), [shared]() -> core::Result<DeviceOffer> {
    if (!shared->service) {
      auto made = service::createModelService();
      if (!made) return made.error();
      shared->service = std::move(made).value();
    }
    return ui::deviceOffer(shared->service->capabilities());
  });
}

void ModelPanel::refreshResults() {
  rows_.clear();
  table_->setSortingEnabled(false);
  table_->clear();
  project::ProjectStore* store = cases_.store();
  if (store != nullptr) {
    int damaged = 0;
    auto rows = resultRows(*store, &damaged);
    if (rows) rows_ = std::move(rows).value();
    else showProblem(q(rows.error().message));
    if (damaged > 0) Q_EMIT statusMessage(tr("%1 stored prediction(s) could not be read").arg(damaged));
  }
  const auto labels = labelColumns(rows_);
  QStringList headers{tr("Case"), tr("Kind"), tr("Label"), tr("Probability")};
  for (const auto& l : labels) headers << q("P(" + l + ")");
  table_->setColumnCount(headers.size());
  table_->setHorizontalHeaderLabels(headers);
  table_->setRowCount(static_cast<int>(rows_.size()));
  for (int r = 0; r < static_cast<int>(rows_.size()); ++r) {
    const auto& row = rows_[static_cast<std::size_t>(r)];
    auto* name = new QTableWidgetItem(q(row.caseName));
    name->setData(Qt::UserRole, QVariant::fromValue<qlonglong>(row.caseId));
    name->setToolTip(tr("case %1, %2, model %3").arg(row.caseId).arg(q(row.prediction.scoreAggregation),
                                                                     q(row.prediction.modelName)));
    table_->setItem(r, 0, name);
    table_->setItem(r, 1, new QTableWidgetItem(q(project::toString(row.kind))));
    table_->setItem(r, 2, new QTableWidgetItem(q(row.prediction.topLabel)));
    table_->setItem(r, 3, numberItem(row.prediction.topProbability, QString::number(row.prediction.topProbability, 'f', 3)));
    for (int c = 0; c < static_cast<int>(labels.size()); ++c) {
      const float p = probabilityOf(row, labels[static_cast<std::size_t>(c)]);
      table_->setItem(r, 4 + c, numberItem(p, QString::number(p, 'f', 3)));
    }
  }
  table_->setSortingEnabled(true);
  table_->sortByColumn(3, Qt::DescendingOrder);
  table_->resizeColumnsToContents();
}

void ModelPanel::showCaseOutputs(project::CaseId id) {
  const ResultRow* row = nullptr;
  for (const auto& r : rows_)
    if (r.caseId == id) row = &r;
  const bool curve = row != nullptr && !row->prediction.sliceCurve.empty();
  curve_->setCurve(curve ? row->prediction.sliceCurve : std::vector<float>{}, curve ? q(row->prediction.topLabel) : QString());
  curve_->setVisible(curve);
  if (row != nullptr && !row->prediction.mapFile.empty() && cases_.store() != nullptr)
    showGrowingMap(id, q((cases_.store()->folder() / row->prediction.mapFile).string()));
}

void ModelPanel::showGrowingMap(project::CaseId id, const QString& file) {
  if (cases_.currentCase() != id || viewers_.currentKind() != viewers::ViewerKind::Slide) return;
  auto map = io::readMap(file.toStdString());
  if (!map) return;  // replaced while being read: the next write brings it
  (void)viewers_.setHeatmap(std::move(map).value());
}

void ModelPanel::showCard() {
  if (!cardValue_) return;
  const auto lines = cardLines(*cardValue_);
  QString html = QStringLiteral("<b>%1</b><br><span style='color:#c0392b;font-weight:bold'>%2</span>")
                     .arg(q(lines[0]).toHtmlEscaped(), q(lines[1]).toHtmlEscaped());
  for (std::size_t i = 2; i < lines.size(); ++i) html += QStringLiteral("<br>") + q(lines[i]).toHtmlEscaped();
  card_->setHtml(html);
  head_->clear();
  head_->addItem(tr("mean of heads"), -1);
  for (int h = 0; h < cardValue_->heads; ++h) head_->addItem(tr("head %1").arg(h), h);
  class_->clear();
  class_->addItem(tr("predicted class"), QString());
  for (const auto& l : cardValue_->labels) class_->addItem(q(l), q(l));
  problem_->hide();
}

void ModelPanel::showProblem(const QString& text) {
  problem_->setText(text);
  problem_->show();
  Q_EMIT statusMessage(text);
}

QString ModelPanel::problem() const { return problem_->isVisible() ? problem_->text() : QString(); }

void ModelPanel::updateControls() {
  const bool idle = !busyJob_;
  const bool model = idle && cardValue_.has_value();
  load_->setEnabled(idle);
  for (auto* b : {runCurrent_, runSelection_, runAll_, explain_}) b->setEnabled(model);
  const auto method = static_cast<service::ExplainKind>(method_->currentData().toInt());
  head_->setEnabled(model && method == service::ExplainKind::ClsAttention);
  class_->setEnabled(model && method == service::ExplainKind::GradientAttention);
}

}  // namespace meridian::ui
