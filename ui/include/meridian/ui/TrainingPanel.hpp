#pragma once
// The "Training" dock (issue 11 item 4): the thin Qt part over the service's project
// training (model/service ProjectTraining.hpp, reached through the model service library,
// opened on first use) and the Qt-free chart data (TrainingCharts.hpp).
//
//   method, held-out share, seed, an "Advanced" section -> the split's counts per class
//   Start / Cancel / Resume -> one job in the Jobs panel; live loss and validation AUROC
//   at the end: ROC with its bootstrap band, confusion matrix, calibration plot
//   Accept model -> the project's active model (logged in the project's event log)

#include <QDockWidget>

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "meridian/core/JobRunner.hpp"
#include "meridian/service/TrainingService.hpp"

class QCheckBox;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableWidget;

namespace meridian::ui {

class CaseBrowser;
class JobsPanel;

class TrainingPanel : public QDockWidget {
  Q_OBJECT
 public:
  TrainingPanel(CaseBrowser& cases, JobsPanel& jobs, QWidget* parent = nullptr);

  /// Re-reads the project's labels and shows the split (also on every label change).
  void refreshSplit();
  /// Starts a training job with the panel's settings; refused (with the reason shown) when
  /// there is no project, no service library, or the split is refused.
  core::Result<core::JobId> start();
  /// The result of the last finished run, if it succeeded.
  const std::optional<service::TrainingResult>& result() const { return result_; }
  /// Makes the last result the project's active model.
  core::Status acceptResult();

  // For tests: the controls and charts.
  QComboBox* methodBox() const { return method_; }
  QDoubleSpinBox* heldOutBox() const { return heldOut_; }
  QTableWidget* splitTable() const { return split_; }
  QTabWidget* charts() const { return charts_; }
  QLabel* messageLabel() const { return message_; }
  QPushButton* acceptButton() const { return accept_; }

 Q_SIGNALS:
  void statusMessage(QString text);
  void trainingFinished(bool succeeded);
  void modelAccepted(QString folder);

 private:
  /// The training service, created on first use (opens the model service library).
  core::Result<const service::TrainingService*> trainingService();
  service::TrainingRequest request() const;
  /// In the panel; an error also goes to the status bar when `announce` (actions, not previews).
  void showMessage(const QString& text, bool error, bool announce = true);
  void addEpoch(const model::EpochRecord& epoch);
  void drawEpochs();
  void showResult(const service::TrainingResult& result);
  void finished(const core::JobStatus& job);

  CaseBrowser& cases_;
  JobsPanel& jobs_;
  QComboBox* method_ = nullptr;
  QDoubleSpinBox* heldOut_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QGroupBox* advanced_ = nullptr;
  QDoubleSpinBox* c_ = nullptr;
  QSpinBox* k_ = nullptr;
  QSpinBox* epochs_ = nullptr;
  QDoubleSpinBox* lr_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QSpinBox* blocks_ = nullptr;
  QSpinBox* rank_ = nullptr;
  QSpinBox* bootstrap_ = nullptr;
  QTableWidget* split_ = nullptr;
  QLabel* message_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* resume_ = nullptr;
  QPushButton* accept_ = nullptr;
  QTabWidget* charts_ = nullptr;
  QChartView* epochView_ = nullptr;
  QChartView* rocView_ = nullptr;
  QTableWidget* confusion_ = nullptr;
  QChartView* calibrationView_ = nullptr;

  std::unique_ptr<service::TrainingService> service_;
  std::optional<core::JobId> running_;
  std::string lastName_;  // the cancelled run's name, for Resume
  std::vector<model::EpochRecord> epochRecords_;
  std::optional<service::TrainingResult> result_;
  std::optional<service::TrainingResult> pending_;  // set on the job's thread, read when it ends
};

}  // namespace meridian::ui
