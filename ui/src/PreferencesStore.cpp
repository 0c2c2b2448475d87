#include "meridian/ui/PreferencesStore.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>

namespace meridian::ui {
namespace {
constexpr const char* kRecent = "recentProjects";
}

Preferences loadPreferences() {
  QSettings settings;
  Preferences defaults;
  Preferences p;
  p.device = settings.value("preferences/device", QString::fromStdString(defaults.device)).toString().toStdString();
  p.bf16 = settings.value("preferences/bf16", defaults.bf16).toBool();
  p.threads = settings.value("preferences/threads", defaults.threads).toInt();
  p.slideCacheMB = settings.value("slideViewer/cacheMB", defaults.slideCacheMB).toInt();  // SlideViewer reads it too
  p.thumbnailSide = settings.value("preferences/thumbnailSide", defaults.thumbnailSide).toInt();
  p.reviewerName = settings.value("preferences/reviewerName").toString().toStdString();
  return sanitized(p);
}

void savePreferences(const Preferences& preferences) {
  const Preferences p = sanitized(preferences);
  QSettings settings;
  settings.setValue("preferences/device", QString::fromStdString(p.device));
  settings.setValue("preferences/bf16", p.bf16);
  settings.setValue("preferences/threads", p.threads);
  settings.setValue("slideViewer/cacheMB", p.slideCacheMB);
  settings.setValue("preferences/thumbnailSide", p.thumbnailSide);
  settings.setValue("preferences/reviewerName", QString::fromStdString(p.reviewerName));
  settings.sync();
}

QStringList recentProjects() { return QSettings().value(kRecent).toStringList(); }

void rememberProject(const QString& folder) {
  std::vector<std::string> recent;
  for (const QString& r : recentProjects()) recent.push_back(r.toStdString());
  QStringList out;
  for (const auto& r : withRecent(recent, folder.toStdString())) out << QString::fromStdString(r);
  QSettings settings;
  settings.setValue(kRecent, out);
  settings.sync();
}

PreferencesDialog::PreferencesDialog(const Preferences& current, const DeviceOffer* offer, QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Preferences"));
  auto* form = new QFormLayout(this);
  // Only what this machine's LibTorch can do (ModelResults' deviceOffer): CUDA where it was
  // built with CUDA and sees a GPU, bf16 where the CPU (or GPU) computes it natively.
  device_ = new QComboBox(this);
  const std::vector<std::string> devices = offer != nullptr ? offer->devices : std::vector<std::string>{"cpu"};
  for (const auto& d : devices) device_->addItem(QString::fromStdString(d));
  const int index = device_->findText(QString::fromStdString(current.device));
  device_->setCurrentIndex(index >= 0 ? index : 0);
  form->addRow(tr("Device for models"), device_);
  bf16_ = new QCheckBox(tr("bf16 matrix products"), this);
  bf16_->setEnabled(offer != nullptr && offer->bf16);
  bf16_->setChecked(bf16_->isEnabled() && current.bf16);
  form->addRow(tr("Precision"), bf16_);
  const QString note = offer == nullptr ? tr("The model core could not be opened: CPU only.")
                                        : QString::fromStdString(offer->note);
  if (!note.isEmpty()) {
    auto* noteLabel = new QLabel(note, this);
    noteLabel->setWordWrap(true);
    form->addRow(QString(), noteLabel);
  }
  threads_ = new QSpinBox(this);
  threads_->setRange(0, 256);
  threads_->setSpecialValueText(tr("one per core"));
  threads_->setValue(current.threads);
  form->addRow(tr("CPU threads"), threads_);
  slideCache_ = new QSpinBox(this);
  slideCache_->setRange(64, 65536);
  slideCache_->setSuffix(tr(" MB"));
  slideCache_->setValue(current.slideCacheMB);
  form->addRow(tr("Slide tile cache"), slideCache_);
  thumbnailSide_ = new QSpinBox(this);
  thumbnailSide_->setRange(64, 1024);
  thumbnailSide_->setSuffix(tr(" px"));
  thumbnailSide_->setValue(current.thumbnailSide);
  form->addRow(tr("Thumbnail size"), thumbnailSide_);
  reviewer_ = new QLineEdit(QString::fromStdString(current.reviewerName), this);
  form->addRow(tr("Reviewer name"), reviewer_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  form->addRow(buttons);
}

Preferences PreferencesDialog::preferences() const {
  Preferences p;
  p.device = device_->currentText().toStdString();
  p.bf16 = bf16_->isEnabled() && bf16_->isChecked();
  p.threads = threads_->value();
  p.slideCacheMB = slideCache_->value();
  p.thumbnailSide = thumbnailSide_->value();
  p.reviewerName = reviewer_->text().toStdString();
  return sanitized(p);
}

}  // namespace meridian::ui
