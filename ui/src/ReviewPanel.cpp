#include "meridian/ui/ReviewPanel.hpp"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

#include "ScrolledDockBody.hpp"
#include "ProjectWatch.hpp"
#include "meridian/project/ReviewCommand.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/CaseTree.hpp"

namespace meridian::ui {
namespace {
constexpr int kCorrectionKeys = 9;  // 1..9 in the correction menu
QString q(const std::string& text) { return QString::fromStdString(text); }
core::Error noProject() { return {core::ErrorCode::InvalidArgument, "create or open a project first (File ▸ New project)"}; }

QString joined(const std::vector<std::string>& names) {
  QStringList out;
  for (const auto& n : names) out << q(n);
  return out.join(QStringLiteral(", "));
}

QTableWidgetItem* cell(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  return item;
}
}  // namespace

ReviewPanel::ReviewPanel(CaseBrowser& cases, QWidget* parent) : QDockWidget(tr("Review"), parent), cases_(cases) {
  setObjectName(QStringLiteral("reviewDock"));
  auto* body = new QWidget(this);
  auto* layout = new QVBoxLayout(body);
  layout->setContentsMargins(2, 2, 2, 2);

  auto* options = new QHBoxLayout;
  order_ = new QComboBox(body);
  order_->setObjectName(QStringLiteral("reviewOrder"));
  order_->addItem(tr("Smallest margin first"), static_cast<int>(ReviewOrder::Margin));
  order_->addItem(tr("Highest entropy first"), static_cast<int>(ReviewOrder::Entropy));
  order_->addItem(tr("Disagrees with label first"), static_cast<int>(ReviewOrder::Disagreement));
  notReviewedOnly_ = new QCheckBox(tr("Not yet reviewed"), body);
  notReviewedOnly_->setObjectName(QStringLiteral("notReviewedOnly"));
  notReviewedOnly_->setChecked(true);
  connect(order_, &QComboBox::currentIndexChanged, this, &ReviewPanel::refresh);
  connect(notReviewedOnly_, &QCheckBox::toggled, this, &ReviewPanel::refresh);
  options->addWidget(order_);
  options->addWidget(notReviewedOnly_);
  layout->addLayout(options);

  table_ = new QTableWidget(body);
  table_->setObjectName(QStringLiteral("reviewTable"));
  table_->setColumnCount(5);
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setWordWrap(false);
  table_->setTextElideMode(Qt::ElideMiddle);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  const auto openRow = [this](int row) {
    if (row >= 0 && row < static_cast<int>(queue_.size())) cases_.selectCase(queue_[static_cast<std::size_t>(row)].candidate.caseId);
  };
  connect(table_, &QTableWidget::cellClicked, this, [openRow](int row, int) { openRow(row); });
  connect(table_, &QTableWidget::cellActivated, this, [openRow](int row, int) { openRow(row); });
  layout->addWidget(table_);

  auto* buttons = new QHBoxLayout;
  auto* accept = new QPushButton(tr("Accept (A)"), body);
  auto* reject = new QPushButton(tr("Reject (X)"), body);
  auto* correct = new QPushButton(tr("Correct… (C)"), body);
  accept->setObjectName(QStringLiteral("acceptButton"));
  reject->setObjectName(QStringLiteral("rejectButton"));
  correct->setObjectName(QStringLiteral("correctButton"));
  connect(accept, &QPushButton::clicked, this, [this] { report(decide(ReviewVerdict::Accept)); });
  connect(reject, &QPushButton::clicked, this, [this] { report(decide(ReviewVerdict::Reject)); });
  connect(correct, &QPushButton::clicked, this, [this] { report(correctWithMenu()); });
  buttons->addWidget(accept);
  buttons->addWidget(reject);
  buttons->addWidget(correct);
  layout->addLayout(buttons);

  progressText_ = new QLabel(body);
  progressText_->setObjectName(QStringLiteral("reviewProgress"));
  progressBar_ = new QProgressBar(body);
  progressBar_->setTextVisible(false);
  progressBar_->setMaximumHeight(8);
  layout->addWidget(progressText_);
  layout->addWidget(progressBar_);
  for (QWidget* w : body->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly))
    w->setSizePolicy(QSizePolicy::Ignored, w->sizePolicy().verticalPolicy());  // take the dock's width, never widen it
  table_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Expanding);
  setWidget(scrolledDockBody(body, this));  // tabbed with other docks (ScrolledDockBody.hpp)

  // Window shortcuts, on the window so they work whichever dock is raised.
  QWidget* keyOwner = parent ? parent : this;
  const auto shortcut = [this, keyOwner](const QString& text, Qt::Key key, auto slot) {
    auto* action = new QAction(text, this);
    action->setShortcut(QKeySequence(key));
    action->setShortcutContext(Qt::WindowShortcut);
    connect(action, &QAction::triggered, this, slot);
    keyOwner->addAction(action);
  };
  shortcut(tr("Accept the prediction"), Qt::Key_A, [this] { report(decide(ReviewVerdict::Accept)); });
  shortcut(tr("Reject the prediction"), Qt::Key_X, [this] { report(decide(ReviewVerdict::Reject)); });
  shortcut(tr("Correct the prediction…"), Qt::Key_C, [this] { report(correctWithMenu()); });

  auto* watch = new ProjectWatch(cases, this);
  connect(watch, &ProjectWatch::changed, this, &ReviewPanel::refresh);
  refresh();
}

void ReviewPanel::report(const core::Status& status) {
  if (!status) Q_EMIT statusMessage(q(status.error().message));
}

void ReviewPanel::setOrder(ReviewOrder order) { order_->setCurrentIndex(order_->findData(static_cast<int>(order))); }
void ReviewPanel::setNotYetReviewedOnly(bool only) { notReviewedOnly_->setChecked(only); }

void ReviewPanel::refresh() {
  candidates_.clear();
  queue_.clear();
  progress_ = {};
  table_->setRowCount(0);
  project::ProjectStore* store = cases_.store();
  if (!store) {
    progressText_->setText(tr("No project open."));
    progressBar_->setRange(0, 1);
    progressBar_->setValue(0);
    return;
  }
  auto candidates = readReviewCandidates(*store, &withoutProbabilities_);
  if (!candidates) {
    progressText_->setText(q(candidates.error().message));
    return;
  }
  candidates_ = std::move(candidates).value();
  progress_ = reviewProgress(candidates_);
  const auto order = static_cast<ReviewOrder>(order_->currentData().toInt());
  queue_ = orderReviewQueue(candidates_, order, notReviewedOnly_->isChecked());
  // The third column shows what the queue is ordered by.
  table_->setHorizontalHeaderLabels({tr("Case"), tr("Prediction"),
                                     order == ReviewOrder::Entropy        ? tr("Entropy")
                                     : order == ReviewOrder::Disagreement ? tr("p(label)")
                                                                          : tr("Margin"),
                                     tr("Label"), tr("✓")});
  table_->setColumnHidden(4, notReviewedOnly_->isChecked());  // all empty under the filter: room for the case name
  std::map<project::CaseId, QString> names;
  if (auto cases = store->listCases()) {
    for (const auto& record : cases.value()) names[record.id] = q(caseLabel(record));
  }
  table_->setRowCount(static_cast<int>(queue_.size()));
  const auto current = cases_.currentCase();
  for (std::size_t i = 0; i < queue_.size(); ++i) {
    const ReviewEntry& e = queue_[i];
    const int row = static_cast<int>(i);
    table_->setItem(row, 0, cell(names.count(e.candidate.caseId) ? names[e.candidate.caseId] : QString::number(e.candidate.caseId)));
    table_->setItem(row, 1, cell(tr("%1 %2").arg(q(e.predicted)).arg(e.topProbability, 0, 'f', 2)));
    const double measure = order == ReviewOrder::Entropy ? e.entropy
                           : order == ReviewOrder::Disagreement && e.labelProbability >= 0 ? e.labelProbability
                                                                                           : e.margin;
    table_->setItem(row, 2, cell(QString::number(measure, 'f', 2)));
    auto* label = cell(joined(e.candidate.labels));
    if (e.disagrees) label->setForeground(QColor(200, 40, 40));
    table_->setItem(row, 3, label);
    table_->setItem(row, 4, cell(e.reviewed() ? tr("✓ %1").arg(e.candidate.reviews) : QString()));
    if (current && *current == e.candidate.caseId) table_->selectRow(row);
  }
  const std::string reviewer = store->actor();
  progressText_->setText(tr("%1%2 · reviewer: %3")
                             .arg(q(progress_.text()),
                                  withoutProbabilities_ ? tr(" · %1 case(s) without a prediction").arg(withoutProbabilities_)
                                                        : QString(),
                                  reviewer.empty() ? tr("none (Edit ▸ Preferences)") : q(reviewer)));
  progressBar_->setRange(0, std::max<int>(1, static_cast<int>(progress_.total)));
  progressBar_->setValue(static_cast<int>(progress_.reviewed));
}

std::optional<ReviewEntry> ReviewPanel::currentEntry() const {
  // The case on screen may be reviewed already (out of a "not yet reviewed" queue): it can be
  // decided on all the same, against its latest prediction.
  const auto id = cases_.currentCase();
  if (!id) return std::nullopt;
  for (const auto& e : orderReviewQueue(candidates_, ReviewOrder::Margin, false))
    if (e.candidate.caseId == *id) return e;
  return std::nullopt;
}

core::Status ReviewPanel::decide(ReviewVerdict verdict, const std::string& correction) {
  if (!cases_.store()) return noProject();
  refresh();  // decide on the prediction as stored now
  const auto entry = currentEntry();
  if (!entry)
    return core::makeError(core::ErrorCode::InvalidArgument,
                           cases_.currentCase() ? "this case has no prediction to review: open a case from the Review queue"
                                                : "open a case from the Review queue first");
  auto decision = makeReviewDecision(*entry, verdict, cases_.store()->actor(), correction);
  if (!decision) return decision.error();
  const auto next = caseAfter(queue_, entry->candidate.caseId);
  if (auto status = cases_.applyEdit(project::makeAddReview(decision.value())); !status) return status;
  refresh();
  Q_EMIT statusMessage(next ? tr("Recorded (%1); next case").arg(q(progress_.text()))
                            : tr("Recorded (%1); end of the queue").arg(q(progress_.text())));
  if (next) cases_.selectCase(*next);
  return core::Ok{};
}

core::Status ReviewPanel::correctWithMenu() {
  if (!cases_.store()) return noProject();
  refresh();
  const auto entry = currentEntry();
  if (!entry) return core::makeError(core::ErrorCode::InvalidArgument, "open a case from the Review queue first");
  auto classes = cases_.store()->listClasses();
  if (!classes) return classes.error();
  QMenu menu(this);
  menu.setObjectName(QStringLiteral("correctionMenu"));
  std::string chosen;
  int key = 0;
  for (const auto& name : correctionChoices(*entry, classes.value())) {
    if (name == entry->predicted) continue;  // that would be an accept
    ++key;
    const QString shortcut = key <= kCorrectionKeys ? QStringLiteral("&%1  ").arg(key) : QStringLiteral("    ");
    menu.addAction(shortcut + q(name), this, [&chosen, name] { chosen = name; });
  }
  if (menu.isEmpty()) return core::makeError(core::ErrorCode::InvalidArgument, "no other class to correct to");
  menu.exec(table_->mapToGlobal(table_->rect().center()));  // a number key or a click chooses
  if (chosen.empty()) return core::Ok{};  // closed without a choice
  return decide(ReviewVerdict::Correct, chosen);
}

core::Status ReviewPanel::openFirst() {
  if (!cases_.store()) return noProject();
  refresh();
  if (queue_.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "the review queue is empty");
  cases_.selectCase(queue_.front().candidate.caseId);
  return core::Ok{};
}

}  // namespace meridian::ui
