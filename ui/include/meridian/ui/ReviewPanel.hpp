#pragma once
// The "Review" dock: the project's predictions as a queue (ReviewQueue.hpp orders it by
// top-two margin, entropy, or disagreement with the case's labels, and counts progress).
//   A  accept the prediction      X  reject it      C  correct it: choose the right class (1..9),
//                                                      which becomes the case's image-level label
// Each decision records the reviewer's name (Edit ▸ Preferences, ProjectStore::actor()) and the UTC time on the
// prediction (ProjectStore::addReview), goes through the case browser's undo stack (Ctrl+Z
// takes it back) and opens the next case of the queue.

#include <QDockWidget>

#include <optional>
#include <string>
#include <vector>

#include "meridian/core/Result.hpp"
#include "meridian/ui/ReviewQueue.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QTableWidget;

namespace meridian::ui {

class CaseBrowser;

class ReviewPanel : public QDockWidget {
  Q_OBJECT
 public:
  ReviewPanel(CaseBrowser& cases, QWidget* parent = nullptr);

  /// Records a decision on the current case's prediction and opens the next case in the queue.
  core::Status decide(ReviewVerdict verdict, const std::string& correction = {});
  /// The C key: a menu of the classes (keys 1..9) to correct the current case to.
  core::Status correctWithMenu();
  /// Opens the first case of the queue.
  core::Status openFirst();

  void setOrder(ReviewOrder order);
  void setNotYetReviewedOnly(bool only);
  void refresh();
  const std::vector<ReviewEntry>& queue() const { return queue_; }
  ReviewProgress progress() const { return progress_; }
  QTableWidget* table() const { return table_; }

 Q_SIGNALS:
  void statusMessage(QString text);

 private:
  std::optional<ReviewEntry> currentEntry() const;
  void report(const core::Status& status);

  CaseBrowser& cases_;
  std::vector<ReviewCandidate> candidates_;
  std::vector<ReviewEntry> queue_;
  ReviewProgress progress_;
  std::size_t withoutProbabilities_ = 0;
  QComboBox* order_ = nullptr;
  QCheckBox* notReviewedOnly_ = nullptr;
  QTableWidget* table_ = nullptr;
  QLabel* progressText_ = nullptr;
  QProgressBar* progressBar_ = nullptr;
};

}  // namespace meridian::ui
