#include "meridian/ui/CaseBrowser.hpp"

#include <QAction>
#include <QColor>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPixmap>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "meridian/project/ProjectImport.hpp"
#include "meridian/project/Thumbnails.hpp"
#include "meridian/ui/CaseFileChecks.hpp"
#include "meridian/ui/CaseTree.hpp"
#include "meridian/ui/JobsPanel.hpp"
#include "meridian/ui/PreferencesStore.hpp"

namespace meridian::ui {
namespace {
constexpr int kCaseRole = Qt::UserRole;
constexpr int kIconSide = 48;

QString q(const std::string& text) { return QString::fromStdString(text); }

void addNodes(QTreeWidgetItem* parent, QTreeWidget* tree, const std::vector<CaseTreeNode>& nodes) {
  for (const auto& node : nodes) {
    auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree);
    item->setText(0, q(node.label));
    if (!node.warning.empty()) {
      // In the text, not as the icon: a case's icon is its thumbnail.
      item->setText(0, QStringLiteral("⚠ ") + q(node.label));
      item->setForeground(0, QColor(176, 96, 0));
      item->setToolTip(0, QStringLiteral("⚠ ") + q(node.warning));
    }
    if (node.caseId) item->setData(0, kCaseRole, QVariant::fromValue<qlonglong>(*node.caseId));
    addNodes(item, tree, node.children);
    item->setExpanded(true);
  }
}
}  // namespace

CaseBrowser::CaseBrowser(JobsPanel& jobs, QWidget* parent) : QDockWidget(tr("Cases"), parent), jobs_(jobs) {
  setObjectName(QStringLiteral("casesDock"));
  setAcceptDrops(true);
  fileChecks_ = new CaseFileChecks(jobs_, this);
  connect(fileChecks_, &CaseFileChecks::checked, this, &CaseBrowser::refresh);
  connect(fileChecks_, &CaseFileChecks::statusMessage, this, &CaseBrowser::statusMessage);
  auto* body = new QWidget(this);
  auto* layout = new QVBoxLayout(body);
  layout->setContentsMargins(2, 2, 2, 2);

  auto* filters = new QHBoxLayout;
  kindFilter_ = new QComboBox(body);
  kindFilter_->setObjectName(QStringLiteral("kindFilter"));
  kindFilter_->addItem(tr("All kinds"));
  kindFilter_->addItem(tr("Images"), QStringLiteral("image"));
  kindFilter_->addItem(tr("Volumes"), QStringLiteral("volume"));
  kindFilter_->addItem(tr("Slides"), QStringLiteral("slide"));
  reviewedFilter_ = new QComboBox(body);
  reviewedFilter_->setObjectName(QStringLiteral("reviewedFilter"));
  reviewedFilter_->addItems({tr("Reviewed or not"), tr("Reviewed"), tr("Not reviewed")});
  predictionFilter_ = new QComboBox(body);
  predictionFilter_->setObjectName(QStringLiteral("predictionFilter"));
  predictionFilter_->addItems({tr("Predicted or not"), tr("Has prediction"), tr("No prediction")});
  labelFilter_ = new QLineEdit(body);
  labelFilter_->setObjectName(QStringLiteral("labelFilter"));
  labelFilter_->setPlaceholderText(tr("label…"));
  labelFilter_->setMinimumWidth(40);
  for (QComboBox* box : {kindFilter_, reviewedFilter_, predictionFilter_}) {
    // Narrow by default: the dock shares its width with the Files list, the viewer keeps the room.
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(4);
    filters->addWidget(box);
    connect(box, &QComboBox::currentIndexChanged, this, &CaseBrowser::refresh);
  }
  filters->addWidget(labelFilter_);
  connect(labelFilter_, &QLineEdit::editingFinished, this, &CaseBrowser::refresh);
  layout->addLayout(filters);

  tree_ = new QTreeWidget(body);
  tree_->setObjectName(QStringLiteral("caseTree"));
  tree_->setColumnCount(2);
  tree_->setHeaderLabels({tr("Case"), tr("Labels")});
  // Several cases can be selected (Ctrl/Shift+click) for the model panel's "Run on selection";
  // the current item is still the case on screen.
  tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  tree_->header()->setStretchLastSection(false);
  tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
  tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);  // the case name gets the rest
  tree_->setIconSize(QSize(kIconSide, kIconSide));
  layout->addWidget(tree_);
  // A click, Enter or a double-click on a case opens it.
  const auto openItem = [this](QTreeWidgetItem* item) {
    const QVariant id = item ? item->data(0, kCaseRole) : QVariant();
    if (id.isValid() && (!current_ || *current_ != id.toLongLong())) selectCase(id.toLongLong());
  };
  connect(tree_, &QTreeWidget::itemClicked, this, openItem);
  connect(tree_, &QTreeWidget::itemActivated, this, openItem);

  auto* labelRow = new QHBoxLayout;
  labelEdit_ = new QLineEdit(body);
  labelEdit_->setObjectName(QStringLiteral("labelEdit"));
  labelEdit_->setPlaceholderText(tr("label for this case"));
  auto* addLabelButton = new QPushButton(tr("Label"), body);
  addLabelButton->setObjectName(QStringLiteral("addLabelButton"));
  const auto labelCurrent = [this] {
    const auto status = addLabel(labelEdit_->text().trimmed().toStdString());
    if (!status) Q_EMIT statusMessage(q(status.error().message));
  };
  connect(addLabelButton, &QPushButton::clicked, this, labelCurrent);
  connect(labelEdit_, &QLineEdit::returnPressed, this, labelCurrent);
  labelRow->addWidget(labelEdit_);
  labelRow->addWidget(addLabelButton);
  layout->addLayout(labelRow);

  auto* addRow = new QHBoxLayout;
  auto* addFiles = new QPushButton(tr("Add files…"), body);
  auto* addFolder = new QPushButton(tr("Add folder…"), body);
  connect(addFiles, &QPushButton::clicked, this, [this] {
    std::vector<std::filesystem::path> paths;
    for (const QString& f : QFileDialog::getOpenFileNames(this, tr("Add files to the project"))) paths.emplace_back(f.toStdString());
    if (!paths.empty()) (void)addPaths(paths);
  });
  connect(addFolder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a folder to the project"));
    if (!dir.isEmpty()) (void)addPaths({dir.toStdString()});
  });
  addRow->addWidget(addFiles);
  addRow->addWidget(addFolder);
  layout->addLayout(addRow);
  // The dock shares its width with the Files list and must not widen the left area (the
  // viewer keeps the room it had): the rows' widgets take what width there is.
  for (QWidget* w : body->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly))
    if (w != tree_) w->setSizePolicy(QSizePolicy::Ignored, w->sizePolicy().verticalPolicy());
  tree_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Expanding);
  setWidget(body);

  auto* next = new QAction(tr("Next case"), this);
  next->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Down));
  next->setShortcutContext(Qt::WindowShortcut);
  connect(next, &QAction::triggered, this, &CaseBrowser::nextCase);
  auto* previous = new QAction(tr("Previous case"), this);
  previous->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Up));
  previous->setShortcutContext(Qt::WindowShortcut);
  connect(previous, &QAction::triggered, this, &CaseBrowser::previousCase);
  addAction(next);
  addAction(previous);
}

CaseBrowser::~CaseBrowser() { closeProject(); }

core::Status CaseBrowser::newProject(const std::filesystem::path& folder) {
  auto created = project::ProjectStore::create(folder);
  if (!created) return created.error();
  closeProject();
  store_ = std::move(created).value();
  store_->setActor(reviewer_);
  undo_ = std::make_unique<project::UndoStack>(*store_);
  refresh();
  checkFiles();  // nothing to check yet: fileChecks().done() is true at once, as after an open
  rememberProject(q(folder.string()));
  Q_EMIT projectChanged(q(folder.string()));
  Q_EMIT undoChanged();
  return core::Ok{};
}

core::Status CaseBrowser::openProject(const std::filesystem::path& folder) {
  auto opened = project::ProjectStore::open(folder, project::OpenMode::ReadWriteOrReadOnly);
  if (!opened) return opened.error();
  closeProject();
  store_ = std::move(opened).value();
  store_->setActor(reviewer_);
  undo_ = std::make_unique<project::UndoStack>(*store_);
  refresh();
  makeThumbnails();
  checkFiles();
  rememberProject(q(folder.string()));
  Q_EMIT projectChanged(q(folder.string()));
  Q_EMIT undoChanged();
  if (store_->isReadOnly())
    Q_EMIT statusMessage(tr("%1 is open in another window: read-only here").arg(q(folder.string())));
  return core::Ok{};
}

void CaseBrowser::closeProject() {
  if (!store_) return;
  // Jobs that write into this project must end before the store goes.
  jobs_.runner().cancelAll();
  for (const auto& job : jobs_.runner().jobs())
    if (!core::isFinished(job.state)) (void)jobs_.runner().wait(job.id);
  fileChecks_->clear();  // before the ended check reports to a closing project
  // The ended jobs report now (poll), with no project left to act on: an ended import must
  // not start a thumbnails job on the store that is going.
  undo_.reset();
  auto closing = std::move(store_);
  jobs_.poll();
  closing.reset();
  current_.reset();
  order_.clear();
  tree_->clear();
}

void CaseBrowser::checkFiles() {
  if (store_) fileChecks_->start(*store_);
}

void CaseBrowser::setReviewer(const std::string& name) {
  reviewer_ = name;
  if (store_) store_->setActor(name);
}

project::CaseFilter CaseBrowser::filter() const {
  project::CaseFilter f;
  if (kindFilter_->currentIndex() > 0) f.kind = project::caseKindFromString(kindFilter_->currentData().toString().toStdString());
  if (reviewedFilter_->currentIndex() > 0) f.reviewed = reviewedFilter_->currentIndex() == 1;
  if (predictionFilter_->currentIndex() > 0) f.hasPrediction = predictionFilter_->currentIndex() == 1;
  if (!labelFilter_->text().trimmed().isEmpty()) f.label = labelFilter_->text().trimmed().toStdString();
  return f;
}

void CaseBrowser::refresh() {
  tree_->clear();
  order_.clear();
  if (!store_) return;
  auto cases = store_->listCases(filter());
  if (!cases) {
    Q_EMIT statusMessage(q(cases.error().message));
    return;
  }
  const auto tree = buildCaseTree(cases.value());
  addNodes(nullptr, tree_, tree);
  order_ = caseOrder(tree);
  for (const auto& record : cases.value()) {
    QTreeWidgetItem* item = itemOf(record.id);
    auto labels = store_->labels(record.id);
    QStringList names;
    if (labels) for (const auto& l : labels.value()) names << q(l);
    if (!item) continue;
    item->setText(1, names.join(QStringLiteral(", ")));
    if (const project::CaseCheck* problem = fileChecks_->problem(record.id)) {
      item->setText(0, QStringLiteral("⚠ ") + item->text(0));
      item->setToolTip(0, q(problem->detail));
    }
  }
  if (current_) {
    if (QTreeWidgetItem* item = itemOf(*current_)) tree_->setCurrentItem(item);
  }
  showThumbnails();
}

QTreeWidgetItem* CaseBrowser::itemOf(project::CaseId id) const {
  for (QTreeWidgetItemIterator it(tree_); *it; ++it)
    if ((*it)->data(0, kCaseRole).isValid() && (*it)->data(0, kCaseRole).toLongLong() == id) return *it;
  return nullptr;
}

void CaseBrowser::showThumbnails() {
  if (!store_) return;
  for (QTreeWidgetItemIterator it(tree_); *it; ++it) {
    const QVariant id = (*it)->data(0, kCaseRole);
    if (!id.isValid()) continue;
    auto record = store_->getCase(id.toLongLong());
    if (!record) continue;
    const auto file = project::thumbnailPath(*store_, record.value());
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) (*it)->setIcon(0, QIcon(QPixmap(q(file.string()))));
  }
}

int CaseBrowser::thumbnailsShown() const {
  int n = 0;
  for (QTreeWidgetItemIterator it(tree_); *it; ++it) n += !(*it)->icon(0).isNull();
  return n;
}

void CaseBrowser::makeThumbnails() {
  if (!store_ || store_->isReadOnly()) return;
  project::ProjectStore* store = store_.get();
  const int side = thumbnailSide_;
  jobs_.submit(
      tr("Thumbnails"),
      [store, side](const core::JobControl& control) -> core::Status {
        auto cases = store->listCases();
        if (!cases) return cases.error();
        const std::size_t total = cases.value().size();
        for (std::size_t i = 0; i < total; ++i) {
          if (control.cancelled()) return core::makeError(core::ErrorCode::Cancelled, "thumbnails cancelled");
          (void)project::ensureThumbnail(*store, cases.value()[i], side);  // a case that cannot be read keeps no icon
          control.report({"cases", i + 1, total, -1, {}});
        }
        return core::Ok{};
      },
      [this](const core::JobStatus&) { showThumbnails(); });
}

core::Result<core::JobId> CaseBrowser::addPaths(const std::vector<std::filesystem::path>& paths) {
  if (!store_) return core::makeError(core::ErrorCode::InvalidArgument, "create or open a project first (File ▸ New project)");
  project::ProjectStore* store = store_.get();
  auto report = std::make_shared<project::ImportReport>();
  const QString title = paths.size() == 1 ? tr("Import %1").arg(q(paths.front().filename().string()))
                                          : tr("Import %1 items").arg(paths.size());
  return jobs_.submit(
      title,
      [store, paths, report](const core::JobControl& control) -> core::Status {
        auto imported = project::importIntoProject(*store, paths, control);
        if (!imported) return imported.error();
        *report = std::move(imported).value();
        return core::Ok{};
      },
      [this, report](const core::JobStatus& job) {
        refresh();
        makeThumbnails();
        QString text = tr("%1 case(s) added, %2 already there").arg(report->added.size()).arg(report->alreadyPresent.size());
        if (!report->incomplete.empty())
          text += tr(", %1 of them incomplete series (marked ⚠: slices missing or unreadable)").arg(report->incomplete.size());
        if (!report->failed.empty()) {
          text += tr(", %1 could not be added: %2 (%3)")
                      .arg(report->failed.size())
                      .arg(q(report->failed.front().path.filename().string()), q(report->failed.front().reason));
        }
        if (job.state != core::JobState::Succeeded && job.error) text = q(job.error->message);
        Q_EMIT statusMessage(text);
      });
}

void CaseBrowser::selectCase(project::CaseId id) {
  if (!store_) return;
  auto record = store_->getCase(id);
  if (!record) {
    Q_EMIT statusMessage(q(record.error().message));
    return;
  }
  current_ = id;
  if (QTreeWidgetItem* item = itemOf(id)) tree_->setCurrentItem(item);
  Q_EMIT openCaseRequested(record.value());
}

void CaseBrowser::nextCase() {
  if (auto id = stepCase(order_, current_, +1)) selectCase(*id);
}

void CaseBrowser::previousCase() {
  if (auto id = stepCase(order_, current_, -1)) selectCase(*id);
}

core::Status CaseBrowser::applyEdit(std::unique_ptr<project::EditCommand> command) {
  if (!undo_) return core::makeError(core::ErrorCode::InvalidArgument, "create or open a project first");
  auto status = undo_->push(std::move(command));
  refresh();
  Q_EMIT undoChanged();
  return status;
}

core::Status CaseBrowser::addLabel(const std::string& className) {
  if (!current_) return core::makeError(core::ErrorCode::InvalidArgument, "select a case to label first");
  if (className.empty()) return core::makeError(core::ErrorCode::InvalidArgument, "type a label first");
  return applyEdit(project::makeAddLabel(*current_, className));
}

core::Status CaseBrowser::removeLabel(const std::string& className) {
  if (!current_) return core::makeError(core::ErrorCode::InvalidArgument, "select a case first");
  return applyEdit(project::makeRemoveLabel(*current_, className));
}

core::Status CaseBrowser::undo() {
  if (!undo_) return core::makeError(core::ErrorCode::InvalidArgument, "no project open");
  auto status = undo_->undo();
  refresh();
  Q_EMIT undoChanged();
  return status;
}

core::Status CaseBrowser::redo() {
  if (!undo_) return core::makeError(core::ErrorCode::InvalidArgument, "no project open");
  auto status = undo_->redo();
  refresh();
  Q_EMIT undoChanged();
  return status;
}

void CaseBrowser::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void CaseBrowser::dropEvent(QDropEvent* event) {
  std::vector<std::filesystem::path> paths;
  for (const QUrl& url : event->mimeData()->urls())
    if (url.isLocalFile()) paths.emplace_back(url.toLocalFile().toStdString());
  if (paths.empty()) return;
  event->acceptProposedAction();
  auto job = addPaths(paths);
  if (!job) Q_EMIT statusMessage(q(job.error().message));
}

}  // namespace meridian::ui
