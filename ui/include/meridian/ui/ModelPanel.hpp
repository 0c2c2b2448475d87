#pragma once
// The "Model" dock: the model inside the window. A thin Qt part over the model service
// (model/service, opened on first use: the window maps no LibTorch until a model is loaded)
// and ModelResults (Qt-free: rows, sorting, card text, curve clicks, device offer).
//
//  - model folder (the bundled model by default) → its card with "research use only";
//  - Run on the current case / the selected cases / all cases: jobs in the Jobs dock; each
//    case's top label and every probability stored in the project with the weights' SHA-256;
//  - results table sortable by probability (stored predictions, shown again when a project
//    is reopened, without the model);
//  - CT: the per-slice curve (SliceCurveView), a click shows that slice;
//  - slide: the heatmap grows on the slide viewer as patches finish;
//  - Explain: CLS attention (mean or one head), rollout, gradient-weighted attention for the
//    predicted or a chosen class, drawn on the viewer on screen through the overlay dock.
// One model job at a time (the service holds one model): the buttons wait while one runs.

#include <QDockWidget>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meridian/core/JobRunner.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/ui/ModelResults.hpp"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTextBrowser;

namespace meridian::service {
class ModelService;
}

namespace meridian::ui {

class CaseBrowser;
class JobsPanel;
class SliceCurveView;
class ViewerStack;

class ModelPanel : public QDockWidget {
  Q_OBJECT
 public:
  ModelPanel(JobsPanel& jobs, CaseBrowser& cases, ViewerStack& viewers, QWidget* parent = nullptr);
  ~ModelPanel() override;

  /// Loads a model folder as a job (the card shows when it is loaded; on failure the previous
  /// model and card stay and the message shows in the panel).
  core::Result<core::JobId> loadModel(const std::filesystem::path& folder);
  /// Runs the loaded model as a job on the current case, the cases selected in the Cases
  /// dock, or every case. On a 2D image on screen, Run on case also explains it (the method,
  /// head and class chosen in the panel) in the same job: label and map from one click.
  core::Result<core::JobId> runOnCurrentCase();
  core::Result<core::JobId> runOnSelection();
  core::Result<core::JobId> runOnAllCases();
  /// Explains the current case (method/head/class as chosen in the panel, or given here) and
  /// draws the map on the viewer on screen.
  core::Result<core::JobId> explainCurrentCase(service::ExplainKind method, int head = -1, const std::string& className = {});
  /// Where models run (the preferences): applied now when a model is loaded, else at load.
  void setDevice(const std::string& device, bool bf16);
  /// What the preferences may offer (opens the model service on first use).
  core::Result<DeviceOffer> deviceOffer();

  /// Re-reads the stored predictions into the table (no model needed).
  void refreshResults();

  // For tests and the window.
  bool busy() const { return busyJob_.has_value(); }
  QTableWidget* resultsTable() const { return table_; }
  SliceCurveView* curveView() const { return curve_; }
  QTextBrowser* cardView() const { return card_; }
  QString problem() const;  // the message shown after a failed load/run/explain ("" if none)
  const std::vector<ResultRow>& rows() const { return rows_; }
  std::optional<service::ModelCardView> card() const { return cardValue_; }

 Q_SIGNALS:
  void statusMessage(QString text);
  /// "cpu fp32", "cuda:0 bf16": the device in use (the status bar shows it).
  void deviceChanged(QString summary);
  /// A click on the per-slice curve: show axial slice k.
  void sliceRequested(int k);
  /// A model job ended (loaded, predicted, explained, or failed): tests wait on it.
  void jobEnded(bool ok);

 private:
  struct Shared;
  core::Result<core::JobId> predict(std::vector<project::CaseId> cases);
  core::Result<core::JobId> predictAndExplain(project::CaseId id);
  service::ExplainRequest chosenExplanation() const;
  void showExplained(const service::ExplainResult& result);
  core::Result<core::JobId> submit(const QString& title, std::function<core::Status(const core::JobControl&)> work,
                                   std::function<void(const core::JobStatus&)> done);
  core::Status ready(bool needModel) const;
  void showProblem(const QString& text);
  void showCard();
  void showCaseOutputs(project::CaseId id);
  void showGrowingMap(project::CaseId id, const QString& file);
  void updateControls();

  JobsPanel& jobs_;
  CaseBrowser& cases_;
  ViewerStack& viewers_;
  std::shared_ptr<Shared> shared_;
  std::optional<core::JobId> busyJob_;
  std::optional<service::ModelCardView> cardValue_;
  std::string device_ = "cpu";
  bool bf16_ = false;
  std::vector<ResultRow> rows_;

  QLineEdit* folder_ = nullptr;
  QTextBrowser* card_ = nullptr;
  QLabel* problem_ = nullptr;
  QPushButton* load_ = nullptr;
  QPushButton* runCurrent_ = nullptr;
  QPushButton* runSelection_ = nullptr;
  QPushButton* runAll_ = nullptr;
  QTableWidget* table_ = nullptr;
  SliceCurveView* curve_ = nullptr;
  QComboBox* method_ = nullptr;
  QComboBox* head_ = nullptr;
  QComboBox* class_ = nullptr;
  QPushButton* explain_ = nullptr;
};

}  // namespace meridian::ui
