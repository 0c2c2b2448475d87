#include "meridian/ui/TrainingPanel.hpp"

#include <QAreaSeries>
#include <QBrush>
#include <QChart>
#include <QChartView>
#include <QColor>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QMetaObject>
#include <QPen>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QScatterSeries>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include "ScrolledDockBody.hpp"
#include "meridian/service/BundledModel.hpp"
#include "meridian/service/ModelServiceLoader.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/TrainingCharts.hpp"

namespace meridian::ui {

namespace {

QString text(const std::string& s) { return QString::fromStdString(s); }

QLineSeries* line(const std::vector<ChartPoint>& points, const QString& name) {
  auto* series = new QLineSeries;
  series->setName(name);
  for (const auto& p : points) series->append(p.x, p.y);
  return series;
}

/// A chart with fixed axes (ranges given), every series attached to both.
QChart* chartWith(const QString& title, const QString& xTitle, double xMin, double xMax, const QString& yTitle,
                  double yMin, double yMax, const std::vector<QAbstractSeries*>& series) {
  auto* chart = new QChart;
  chart->setTitle(title);
  auto* x = new QValueAxis;
  x->setTitleText(xTitle);
  x->setRange(xMin, xMax);
  auto* y = new QValueAxis;
  y->setTitleText(yTitle);
  y->setRange(yMin, yMax);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (auto* s : series) {
    chart->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  }
  chart->legend()->setAlignment(Qt::AlignBottom);
  return chart;
}

void replaceChart(QChartView* view, QChart* chart) {
  QChart* old = view->chart();
  view->setChart(chart);
  delete old;
}

}  // namespace

TrainingPanel::TrainingPanel(CaseBrowser& cases, JobsPanel& jobs, QWidget* parent)
    : QDockWidget(tr("Training"), parent), cases_(cases), jobs_(jobs) {
  setObjectName(QStringLiteral("trainingDock"));
  auto* body = new QWidget(this);
  auto* layout = new QVBoxLayout(body);

  auto* form = new QFormLayout;
  method_ = new QComboBox(body);
  method_->setObjectName(QStringLiteral("trainingMethod"));
  for (const char* m : service::kTrainingMethods) method_->addItem(QString::fromLatin1(m));
  method_->setItemText(6, tr("dino (continued pretraining, unlabelled cases)"));
  form->addRow(tr("Method"), method_);
  heldOut_ = new QDoubleSpinBox(body);
  heldOut_->setObjectName(QStringLiteral("trainingHeldOut"));
  heldOut_->setRange(0.1, 0.6);
  heldOut_->setSingleStep(0.05);
  heldOut_->setValue(model::TrainOptions{}.valFraction);
  form->addRow(tr("Held-out share"), heldOut_);
  seed_ = new QSpinBox(body);
  seed_->setObjectName(QStringLiteral("trainingSeed"));
  seed_->setRange(0, 1000000);
  form->addRow(tr("Seed"), seed_);
  layout->addLayout(form);

  // Advanced: the trainer's defaults, shown so they can be changed.
  const model::TrainOptions defaults;
  advanced_ = new QGroupBox(tr("Advanced"), body);
  advanced_->setCheckable(true);
  advanced_->setChecked(false);
  auto* adv = new QFormLayout(advanced_);
  auto spin = [&](int lo, int hi, int value) {
    auto* s = new QSpinBox(advanced_);
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
  };
  c_ = new QDoubleSpinBox(advanced_);
  c_->setRange(1e-4, 1e4);
  c_->setDecimals(4);
  c_->setValue(defaults.inverseRegularization);
  adv->addRow(tr("Probe C (inverse regularisation)"), c_);
  k_ = spin(1, 500, defaults.k);
  adv->addRow(tr("kNN k"), k_);
  epochs_ = spin(1, 500, defaults.epochs);
  adv->addRow(tr("Epochs (fine-tuning, DINO)"), epochs_);
  lr_ = new QDoubleSpinBox(advanced_);
  lr_->setDecimals(6);
  lr_->setRange(1e-6, 1.0);
  lr_->setValue(defaults.lr);
  adv->addRow(tr("Peak learning rate"), lr_);
  batch_ = spin(1, 512, defaults.batchSize);
  adv->addRow(tr("Batch size"), batch_);
  blocks_ = spin(1, 48, defaults.blocks);
  adv->addRow(tr("Partial: last blocks"), blocks_);
  rank_ = spin(1, 256, defaults.rank);
  adv->addRow(tr("LoRA rank"), rank_);
  bootstrap_ = spin(50, 10000, defaults.evaluation.bootstrap.resamples);
  adv->addRow(tr("Bootstrap resamples"), bootstrap_);
  for (int i = 0; i < adv->rowCount(); ++i)
    if (auto* item = adv->itemAt(i, QFormLayout::FieldRole)) item->widget()->setEnabled(false);
  connect(advanced_, &QGroupBox::toggled, this, [adv](bool on) {
    for (int i = 0; i < adv->rowCount(); ++i)
      if (auto* item = adv->itemAt(i, QFormLayout::FieldRole)) item->widget()->setEnabled(on);
  });
  layout->addWidget(advanced_);

  split_ = new QTableWidget(0, 3, body);
  split_->setObjectName(QStringLiteral("trainingSplit"));
  split_->setHorizontalHeaderLabels({tr("Class"), tr("Training"), tr("Held out")});
  split_->verticalHeader()->setVisible(false);
  split_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  split_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  split_->setMaximumHeight(170);  // the classes, cases and patients rows of a two-class task
  layout->addWidget(split_);
  message_ = new QLabel(body);
  message_->setObjectName(QStringLiteral("trainingMessage"));
  message_->setWordWrap(true);
  layout->addWidget(message_);

  auto* buttons = new QHBoxLayout;
  start_ = new QPushButton(tr("Start"), body);
  start_->setObjectName(QStringLiteral("trainingStart"));
  cancel_ = new QPushButton(tr("Cancel"), body);
  cancel_->setObjectName(QStringLiteral("trainingCancel"));
  resume_ = new QPushButton(tr("Resume"), body);
  resume_->setObjectName(QStringLiteral("trainingResume"));
  resume_->setToolTip(tr("Runs the cancelled training again: cached embeddings are reused, DINO continues from its checkpoint"));
  accept_ = new QPushButton(tr("Accept model"), body);
  accept_->setObjectName(QStringLiteral("trainingAccept"));
  for (auto* b : {start_, cancel_, resume_, accept_}) buttons->addWidget(b);
  cancel_->setEnabled(false);
  resume_->setEnabled(false);
  accept_->setEnabled(false);
  layout->addLayout(buttons);

  charts_ = new QTabWidget(body);
  charts_->setObjectName(QStringLiteral("trainingCharts"));
  auto view = [&](const QString& tab) {
    auto* v = new QChartView(new QChart, charts_);
    v->setRenderHint(QPainter::Antialiasing);
    v->setMinimumHeight(260);
    charts_->addTab(v, tab);
    return v;
  };
  epochView_ = view(tr("Loss && AUROC"));  // "&&": a single "&" would be a mnemonic
  rocView_ = view(tr("ROC"));
  confusion_ = new QTableWidget(charts_);
  confusion_->setObjectName(QStringLiteral("trainingConfusion"));
  confusion_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  charts_->addTab(confusion_, tr("Confusion"));
  calibrationView_ = view(tr("Calibration"));
  layout->addWidget(charts_, 1);
  setWidget(scrolledDockBody(body, this));  // ~800 px of settings and charts (ScrolledDockBody.hpp)

  connect(start_, &QPushButton::clicked, this, [this] { start(); });
  connect(resume_, &QPushButton::clicked, this, [this] { start(); });
  connect(cancel_, &QPushButton::clicked, this, [this] {
    if (running_) jobs_.cancel(*running_);
  });
  connect(accept_, &QPushButton::clicked, this, [this] { acceptResult(); });
  connect(heldOut_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this] { refreshSplit(); });
  connect(seed_, qOverload<int>(&QSpinBox::valueChanged), this, [this] { refreshSplit(); });
  connect(method_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { refreshSplit(); });
  connect(&cases_, &CaseBrowser::projectChanged, this, [this] { refreshSplit(); });
  connect(&cases_, &CaseBrowser::undoChanged, this, [this] { refreshSplit(); });  // labels changed
}

core::Result<const service::TrainingService*> TrainingPanel::trainingService() {
  if (!service_) {
    auto made = service::createTrainingService();
    if (!made) return made.error();
    service_ = std::move(made).value();
  }
  return service_.get();
}

void TrainingPanel::showMessage(const QString& message, bool error, bool announce) {
  message_->setText(message);
  message_->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
  if (error && announce) Q_EMIT statusMessage(message);
}

service::TrainingRequest TrainingPanel::request() const {
  service::TrainingRequest r;
  if (auto bundled = service::bundledModelFolder()) r.baseModel = *bundled;
  service::setTrainingMethod(r, service::kTrainingMethods[std::max(0, method_->currentIndex())]);
  r.options.valFraction = heldOut_->value();
  r.options.seed = static_cast<std::uint64_t>(seed_->value());
  r.options.evaluation.bootstrap.seed = r.options.seed;
  if (advanced_->isChecked()) {
    r.options.inverseRegularization = c_->value();
    r.options.k = k_->value();
    r.options.epochs = epochs_->value();
    r.options.lr = lr_->value();
    r.options.batchSize = batch_->value();
    r.options.blocks = blocks_->value();
    r.options.rank = rank_->value();
    r.options.evaluation.bootstrap.resamples = bootstrap_->value();
    r.dino.epochs = epochs_->value();
    r.dino.batchSize = batch_->value();
  }
  return r;
}

void TrainingPanel::refreshSplit() {
  split_->setRowCount(0);
  auto* store = cases_.store();
  if (!store) return showMessage(tr("Open a project to train on its labels."), false);
  auto training = trainingService();
  if (!training) return showMessage(text(training.error().message), true, false);
  auto task = training.value()->task(*store);
  if (!task) return showMessage(text(task.error().message), true, false);
  const auto& t = task.value();
  QString notes;
  if (t.multiLabelled) notes += tr(" %1 case(s) with several labels are left out.").arg(t.multiLabelled);
  if (request().pretrain)
    return showMessage(tr("Continued pretraining learns from the %1 unlabelled case(s).").arg(t.unlabelled.size()) + notes,
                       false);
  auto preview = training.value()->preview(t, heldOut_->value(), static_cast<std::uint64_t>(seed_->value()));
  if (!preview) return showMessage(text(preview.error().message) + notes, true, false);
  const auto rows = ::meridian::ui::splitTable(preview.value());
  split_->setRowCount(static_cast<int>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c)
      split_->setItem(static_cast<int>(r), static_cast<int>(c), new QTableWidgetItem(text(rows[r][c])));
  showMessage(tr("Patient-level split: %1 case(s) train, %2 held out.")
                      .arg(preview.value().train.cases)
                      .arg(preview.value().heldOut.cases) +
                  notes,
              false);
}

core::Result<core::JobId> TrainingPanel::start() {
  auto fail = [this](const core::Error& e) -> core::Error {
    showMessage(text(e.message), true);
    return e;
  };
  if (running_) return fail(core::makeError(core::ErrorCode::InvalidArgument, "a training job is already running"));
  auto* store = cases_.store();
  if (!store) return fail(core::makeError(core::ErrorCode::InvalidArgument, "open a project first"));
  auto training = trainingService();
  if (!training) return fail(training.error());
  auto r = request();
  if (r.baseModel.empty())
    return fail(core::makeError(core::ErrorCode::NotFound, "the bundled model folder was not found"));
  if (!r.pretrain) {
    // The split the job would make, checked here: a one-class task or a held-out part without
    // two cases of each class is refused on screen, with no job started (the job would fail
    // with the same reason, later and less plainly).
    auto task = training.value()->task(*store);
    if (!task) return fail(task.error());
    auto preview = training.value()->preview(task.value(), r.options.valFraction, r.options.seed);
    if (!preview) return fail(preview.error());
  }
  r.name = lastName_;  // Resume: the same folder name (DINO continues its checkpoint)
  if (r.name.empty()) r.name = std::string(service::kTrainingMethods[std::max(0, method_->currentIndex())]) + "-" +
                               QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")).toStdString();
  lastName_ = r.name;
  epochRecords_.clear();
  result_.reset();
  pending_.reset();
  drawEpochs();
  accept_->setEnabled(false);
  const auto* entries = training.value();
  QPointer<TrainingPanel> self(this);
  auto onEpoch = [self](const model::EpochRecord& epoch) {
    // On the job's thread: hand the record to the UI thread.
    QMetaObject::invokeMethod(
        self.data(), [self, epoch] { if (self) self->addEpoch(epoch); }, Qt::QueuedConnection);
  };
  const auto id = jobs_.submit(
      tr("Train %1 (%2)").arg(text(r.name)).arg(method_->currentText()),
      [this, entries, store, r, onEpoch](const core::JobControl& job) -> core::Status {
        auto trained = entries->train(*store, r, onEpoch, job);
        if (!trained) return trained.error();
        pending_ = std::move(trained).value();
        return core::Ok{};
      },
      [this](const core::JobStatus& job) { finished(job); });
  running_ = id;
  start_->setEnabled(false);
  resume_->setEnabled(false);
  cancel_->setEnabled(true);
  showMessage(tr("Training %1…").arg(text(r.name)), false);
  return id;
}

void TrainingPanel::finished(const core::JobStatus& job) {
  running_.reset();
  start_->setEnabled(true);
  cancel_->setEnabled(false);
  if (job.state == core::JobState::Succeeded && pending_) {
    lastName_.clear();
    result_ = std::move(pending_);
    pending_.reset();
    showResult(*result_);
    accept_->setEnabled(true);
    showMessage(tr("Trained %1: the model is in %2. Accept it to make it the project's model.")
                    .arg(text(result_->card.name))
                    .arg(text(result_->relativeFolder)),
                false);
    Q_EMIT trainingFinished(true);
    return;
  }
  const bool cancelled = job.state == core::JobState::Cancelled;
  resume_->setEnabled(cancelled);
  if (!cancelled) lastName_.clear();
  showMessage(cancelled ? tr("Training cancelled: nothing was added to the project. Resume runs it again.")
                        : tr("Training failed: %1").arg(job.error ? text(job.error->message) : tr("unknown error")),
              true);
  Q_EMIT trainingFinished(false);
}

void TrainingPanel::addEpoch(const model::EpochRecord& epoch) {
  epochRecords_.push_back(epoch);
  drawEpochs();
}

void TrainingPanel::drawEpochs() {
  const auto charts = epochCharts(epochRecords_);
  auto* loss = line(charts.loss, tr("training loss"));
  auto* auroc = line(charts.auroc, tr("validation AUROC"));
  loss->setPointsVisible(true);
  auroc->setPointsVisible(true);
  auto* chart = new QChart;
  chart->setTitle(text(charts.caption.empty() ? "waiting for the first epoch" : charts.caption));
  auto* x = new QValueAxis;
  x->setTitleText(tr("epoch"));
  x->setRange(0.5, charts.epochMax + 0.5);
  auto* yLoss = new QValueAxis;
  yLoss->setTitleText(tr("loss"));
  yLoss->setRange(0.0, charts.lossMax);
  auto* yAuroc = new QValueAxis;
  yAuroc->setTitleText(tr("AUROC"));
  yAuroc->setRange(0.0, 1.0);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(yLoss, Qt::AlignLeft);
  chart->addAxis(yAuroc, Qt::AlignRight);
  chart->addSeries(loss);
  loss->attachAxis(x);
  loss->attachAxis(yLoss);
  chart->addSeries(auroc);
  auroc->attachAxis(x);
  auroc->attachAxis(yAuroc);
  chart->legend()->setAlignment(Qt::AlignBottom);
  replaceChart(epochView_, chart);
}

void TrainingPanel::showResult(const service::TrainingResult& result) {
  epochRecords_ = result.epochs;
  drawEpochs();
  const auto roc = rocChart(result);
  if (!roc.curve.empty()) {
    auto* low = line(roc.bandLow, QString());
    auto* high = line(roc.bandHigh, QString());
    auto* band = new QAreaSeries(high, low);
    band->setName(tr("95% bootstrap band"));
    band->setBrush(QColor(70, 130, 180, 70));
    band->setPen(Qt::NoPen);
    auto* curve = line(roc.curve, tr("ROC (held out)"));
    curve->setPen(QPen(QColor(20, 60, 140), 2));
    auto* chance = line(roc.chance, tr("chance"));
    chance->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    replaceChart(rocView_, chartWith(text(roc.title), tr("false-positive rate"), 0, 1, tr("true-positive rate"), 0, 1,
                                     {band, chance, curve}));
  }
  const auto confusion = confusionChart(result);
  const int n = static_cast<int>(confusion.classes.size());
  confusion_->setRowCount(n);
  confusion_->setColumnCount(n);
  QStringList names;
  for (const auto& c : confusion.classes) names << text(c);
  QStringList predicted, truth;
  for (const auto& name : names) {
    predicted << tr("predicted %1").arg(name);
    truth << tr("true %1").arg(name);
  }
  confusion_->setHorizontalHeaderLabels(predicted);
  confusion_->setVerticalHeaderLabels(truth);
  confusion_->setToolTip(text(confusion.title));
  for (const auto& cell : confusion.cells) {
    auto* item = new QTableWidgetItem(text(cell.text));
    item->setTextAlignment(Qt::AlignCenter);
    const int shade = static_cast<int>(255 - 150 * cell.rowShare);
    item->setBackground(cell.row == cell.column ? QColor(shade, 255, shade) : QColor(255, shade, shade));
    confusion_->setItem(static_cast<int>(cell.row), static_cast<int>(cell.column), item);
  }
  confusion_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  const auto calibration = calibrationChart(result);
  auto* points = new QScatterSeries;
  points->setName(tr("bins (mean confidence, accuracy)"));
  for (const auto& p : calibration.points) points->append(p.x, p.y);
  auto* joined = line(calibration.points, QString());
  auto* diagonal = line(calibration.diagonal, tr("perfect calibration"));
  diagonal->setPen(QPen(Qt::gray, 1, Qt::DashLine));
  replaceChart(calibrationView_, chartWith(text(calibration.title), tr("confidence"), 0, 1, tr("accuracy"), 0, 1,
                                           {diagonal, joined, points}));
  charts_->setCurrentWidget(rocView_);
  // The charts sit below ~400 px of settings in the dock's scroll area: the result is what the
  // person waited for, so the ROC comes into view (it was off screen in every walk screenshot).
  // The charts' top (their tabs and the ROC's title) at the top of the view: the charts are
  // taller than the dock's usual height, and ensureWidgetVisible showed their middle.
  if (auto* scroll = qobject_cast<QScrollArea*>(widget()); scroll && scroll->widget())
    scroll->verticalScrollBar()->setValue(charts_->mapTo(scroll->widget(), QPoint(0, 0)).y());
}

core::Status TrainingPanel::acceptResult() {
  auto fail = [this](const core::Error& e) -> core::Error {
    showMessage(text(e.message), true);
    return e;
  };
  if (!result_) return fail(core::makeError(core::ErrorCode::InvalidArgument, "there is no trained model to accept"));
  auto* store = cases_.store();
  if (!store) return fail(core::makeError(core::ErrorCode::InvalidArgument, "open a project first"));
  auto training = trainingService();
  if (!training) return fail(training.error());
  auto accepted = training.value()->accept(*store, result_->modelFolder);
  if (!accepted) return fail(accepted.error());
  accept_->setEnabled(false);
  // In the status bar too: the panel's own message line is scrolled out of view by the charts.
  showMessage(tr("%1 is now the project's model (the previous one stays listed in the project's log).")
                  .arg(text(accepted.value().folder)),
              false);
  Q_EMIT statusMessage(message_->text());
  Q_EMIT modelAccepted(text(accepted.value().folder));
  return core::Ok{};
}

}  // namespace meridian::ui
