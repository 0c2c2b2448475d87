#include "meridian/ui/LabelsPanel.hpp"

#include <QAction>
#include <QColor>
#include <QIcon>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

#include "ScrolledDockBody.hpp"
#include "ProjectWatch.hpp"
#include "meridian/project/RenameClassCommand.hpp"
#include "meridian/ui/CaseBrowser.hpp"
#include "meridian/ui/CaseTree.hpp"

namespace meridian::ui {
namespace {
constexpr int kClassNameRole = Qt::UserRole;
QString q(const std::string& text) { return QString::fromStdString(text); }
core::Error noProject() { return {core::ErrorCode::InvalidArgument, "create or open a project first (File ▸ New project)"}; }
}  // namespace

LabelsPanel::LabelsPanel(CaseBrowser& cases, QWidget* parent) : QDockWidget(tr("Labels"), parent), cases_(cases) {
  setObjectName(QStringLiteral("labelsDock"));
  auto* body = new QWidget(this);
  auto* layout = new QVBoxLayout(body);
  layout->setContentsMargins(2, 2, 2, 2);
  caseLine_ = new QLabel(body);
  caseLine_->setObjectName(QStringLiteral("labelsCaseLine"));
  caseLine_->setWordWrap(true);
  layout->addWidget(caseLine_);

  classes_ = new QListWidget(body);
  classes_->setObjectName(QStringLiteral("classList"));
  classes_->setToolTip(tr("Press a class's number key (or double-click it) to label the current case; again to remove"));
  connect(classes_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
    const std::string name = item->data(kClassNameRole).toString().toStdString();
    report(toggleClass(name), tr("Labels of the case changed"));
  });
  layout->addWidget(classes_);

  auto* addRow = new QHBoxLayout;
  newClass_ = new QLineEdit(body);
  newClass_->setObjectName(QStringLiteral("newClassEdit"));
  newClass_->setPlaceholderText(tr("new class"));
  auto* add = new QPushButton(tr("Add class"), body);
  add->setObjectName(QStringLiteral("addClassButton"));
  const auto addTyped = [this] {
    const auto status = addClass(newClass_->text().toStdString());
    if (status) newClass_->clear();
    report(status, tr("Class added"));
  };
  connect(add, &QPushButton::clicked, this, addTyped);
  connect(newClass_, &QLineEdit::returnPressed, this, addTyped);
  auto* rename = new QPushButton(tr("Rename…"), body);
  rename->setObjectName(QStringLiteral("renameClassButton"));
  connect(rename, &QPushButton::clicked, this, &LabelsPanel::renameWithDialog);
  addRow->addWidget(newClass_);
  addRow->addWidget(add);
  addRow->addWidget(rename);
  layout->addLayout(addRow);

  unlabelled_ = new QLabel(body);
  unlabelled_->setObjectName(QStringLiteral("unlabelledCount"));
  layout->addWidget(unlabelled_);
  auto* walkRow = new QHBoxLayout;
  auto* previous = new QPushButton(tr("◀ Unlabelled (Shift+N)"), body);
  auto* next = new QPushButton(tr("Unlabelled (N) ▶"), body);
  connect(previous, &QPushButton::clicked, this, [this] { report(previousUnlabelled(), {}); });
  connect(next, &QPushButton::clicked, this, [this] { report(nextUnlabelled(), {}); });
  walkRow->addWidget(previous);
  walkRow->addWidget(next);
  layout->addLayout(walkRow);
  for (QWidget* w : body->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly))
    w->setSizePolicy(QSizePolicy::Ignored, w->sizePolicy().verticalPolicy());  // take the dock's width, never widen it
  setWidget(scrolledDockBody(body, this));  // tabbed with other docks (ScrolledDockBody.hpp)

  // Window shortcuts, on the window so they work whichever dock is raised.
  QWidget* keyOwner = parent ? parent : this;
  for (int key = 1; key <= kClassKeyCount; ++key) {
    auto* action = new QAction(tr("Label with class %1").arg(key), this);
    action->setShortcut(QKeySequence(Qt::Key_0 + key));
    action->setShortcutContext(Qt::WindowShortcut);
    connect(action, &QAction::triggered, this, [this, key] { report(toggleKey(key), tr("Labels of the case changed")); });
    keyOwner->addAction(action);
  }
  auto* nextAction = new QAction(tr("Next unlabelled case"), this);
  nextAction->setShortcut(QKeySequence(Qt::Key_N));
  connect(nextAction, &QAction::triggered, this, [this] { report(nextUnlabelled(), {}); });
  auto* previousAction = new QAction(tr("Previous unlabelled case"), this);
  previousAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_N));
  connect(previousAction, &QAction::triggered, this, [this] { report(previousUnlabelled(), {}); });
  for (QAction* a : {nextAction, previousAction}) {
    a->setShortcutContext(Qt::WindowShortcut);
    keyOwner->addAction(a);
  }

  auto* watch = new ProjectWatch(cases, this);
  connect(watch, &ProjectWatch::changed, this, &LabelsPanel::refresh);
  refresh();
}

void LabelsPanel::report(const core::Status& status, const QString& done) {
  if (!status) Q_EMIT statusMessage(q(status.error().message));
  else if (!done.isEmpty()) Q_EMIT statusMessage(done);
}

void LabelsPanel::refresh() {
  project::ProjectStore* store = cases_.store();
  const int selectedRow = classes_->currentRow();  // kept for Rename… across refreshes
  summary_ = {};
  classes_->clear();
  if (!store) {
    caseLine_->setText(tr("No project open."));
    unlabelled_->clear();
    return;
  }
  auto summary = summarizeLabels(*store);
  if (!summary) {
    caseLine_->setText(q(summary.error().message));
    return;
  }
  summary_ = std::move(summary).value();
  std::vector<std::string> current;
  if (const auto id = cases_.currentCase()) {
    const auto it = summary_.labels.find(*id);
    if (it != summary_.labels.end()) current = it->second;
    auto record = store->getCase(*id);
    const QString name = record ? q(caseLabel(record.value())) : tr("case %1").arg(*id);
    QStringList names;
    for (const auto& l : current) names << q(l);
    caseLine_->setText(current.empty() ? tr("<b>%1</b>: no label yet").arg(name.toHtmlEscaped())
                                       : tr("<b>%1</b>: %2").arg(name.toHtmlEscaped(), names.join(QStringLiteral(", ")).toHtmlEscaped()));
  } else {
    caseLine_->setText(tr("Select a case to label it."));
  }
  for (std::size_t i = 0; i < summary_.classes.size(); ++i) {
    const auto& c = summary_.classes[i];
    const auto key = keyForClass(summary_.classes, c.name);
    const bool on = std::find(current.begin(), current.end(), c.name) != current.end();
    auto* item = new QListWidgetItem(tr("%1 %2  %3 — %4 case(s)")
                                         .arg(key ? QString::number(*key) : QStringLiteral("·"))
                                         .arg(on ? QStringLiteral("☑") : QStringLiteral("☐"))
                                         .arg(q(c.name))
                                         .arg(summary_.counts[i]),
                                     classes_);
    QPixmap swatch(12, 12);
    swatch.fill(QColor(c.red, c.green, c.blue));
    item->setIcon(QIcon(swatch));
    item->setData(kClassNameRole, q(c.name));
  }
  if (selectedRow >= 0 && selectedRow < classes_->count()) classes_->setCurrentRow(selectedRow);
  unlabelled_->setText(tr("%1 of %2 cases have no label").arg(summary_.unlabelled).arg(summary_.labels.size()));
}

core::Status LabelsPanel::toggleKey(int key) {
  const auto name = classForKey(summary_.classes, key);
  if (!name) {
    if (!cases_.store()) return noProject();
    return core::makeError(core::ErrorCode::InvalidArgument,
                           "no class has key " + std::to_string(key) + ": add classes in the Labels panel");
  }
  return toggleClass(*name);
}

core::Status LabelsPanel::toggleClass(const std::string& className) {
  project::ProjectStore* store = cases_.store();
  if (!store) return noProject();
  const auto id = cases_.currentCase();
  if (!id) return core::makeError(core::ErrorCode::InvalidArgument, "select a case to label first");
  auto labels = store->labels(*id);
  if (!labels) return labels.error();
  const auto status = toggleFor(labels.value(), className) == LabelToggle::Add ? cases_.addLabel(className)
                                                                               : cases_.removeLabel(className);
  refresh();
  return status;
}

core::Status LabelsPanel::addClass(const std::string& name) {
  project::ProjectStore* store = cases_.store();
  if (!store) return noProject();
  auto clean = checkClassName(summary_.classes, name);
  if (!clean) return clean.error();
  auto made = store->ensureClass(clean.value());
  refresh();
  if (!made) return made.error();
  return core::Ok{};
}

core::Status LabelsPanel::renameClass(const std::string& from, const std::string& to) {
  if (!cases_.store()) return noProject();
  auto clean = checkClassName(summary_.classes, to, from);
  if (!clean) return clean.error();
  const auto status = cases_.applyEdit(project::makeRenameClass(from, clean.value()));
  refresh();
  return status;
}

void LabelsPanel::renameWithDialog() {
  QListWidgetItem* item = classes_->currentItem();
  if (!item) {
    Q_EMIT statusMessage(tr("Choose the class to rename in the list first."));
    return;
  }
  const QString from = item->data(kClassNameRole).toString();
  bool ok = false;
  const QString to = QInputDialog::getText(this, tr("Rename class"), tr("New name for '%1':").arg(from),
                                           QLineEdit::Normal, from, &ok);
  if (ok) report(renameClass(from.toStdString(), to.toStdString()), tr("Class renamed"));
}

core::Status LabelsPanel::nextUnlabelled() { return stepUnlabelled(+1); }
core::Status LabelsPanel::previousUnlabelled() { return stepUnlabelled(-1); }

core::Status LabelsPanel::stepUnlabelled(int step) {
  if (!cases_.store()) return noProject();
  refresh();  // the walk must see the labels as they are now
  const auto id = ui::stepUnlabelled(cases_.order(), summary_.labels, cases_.currentCase(), step);
  if (!id) return core::makeError(core::ErrorCode::InvalidArgument, "every case shown in Cases has a label");
  cases_.selectCase(*id);
  return core::Ok{};
}

}  // namespace meridian::ui
