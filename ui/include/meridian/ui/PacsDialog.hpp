#pragma once
// File ▸ PACS…: the thin Qt part over core/pacs (PacsClient, PacsProject), which
// `meridian-cli pacs` shares. The server (host, port, AE titles, timeout) is kept in the
// application's preferences (QSettings "pacs/…"). Echo, find, the series of a study, retrieve
// into the open project and sending the current case's SR back each run as a job in the Jobs
// panel, so the window never waits on the network; the result shows in the dialog's status line
// (and the window's status bar), a failure in red with the server's words.

#include <QDialog>
#include <QString>

#include <memory>
#include <vector>

#include "meridian/core/JobRunner.hpp"
#include "meridian/core/Result.hpp"
#include "meridian/pacs/PacsClient.hpp"

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace meridian::ui {

class CaseBrowser;
class JobsPanel;

/// The PACS server in the preferences (defaults: PacsServer's).
pacs::PacsServer loadPacsServer();
void savePacsServer(const pacs::PacsServer& server);

class PacsDialog : public QDialog {
  Q_OBJECT
 public:
  PacsDialog(CaseBrowser& cases, JobsPanel& jobs, QWidget* parent = nullptr);

  /// The server as the fields say it now.
  pacs::PacsServer server() const;
  void setServer(const pacs::PacsServer& server);
  /// The query keys as the fields say them now.
  pacs::StudyQuery query() const;
  void setQuery(const pacs::StudyQuery& query);

  // The buttons' actions (tests call them). Each saves the server to the preferences and starts
  // a job; `finished` says how it ended. Refused at once (with the reason) when the settings are
  // invalid, or with no project / no selected study / no current case where one is needed.
  core::Result<core::JobId> echo();
  core::Result<core::JobId> find();
  core::Result<core::JobId> findSeriesOfSelectedStudy();
  core::Result<core::JobId> retrieveSelected();
  core::Result<core::JobId> sendCurrentCase();

  QTableWidget* studiesTable() const { return studies_; }
  QTableWidget* seriesTable() const { return series_; }
  QLabel* statusLine() const { return status_; }

 Q_SIGNALS:
  void statusMessage(QString text);
  /// A job ended: which action ("echo", "find", "series", "retrieve", "send"), ok, and its line.
  void finished(QString action, bool ok, QString text);

 private:
  core::Result<core::JobId> start(const QString& action, const QString& title, core::JobFunction work,
                                  std::function<QString()> describeSuccess, std::function<void()> onSuccess = {});
  void showStatus(bool ok, const QString& text);
  void showStudies();
  void showSeries();
  std::string selectedStudyUid() const;
  std::string selectedSeriesUid() const;

  CaseBrowser& cases_;
  JobsPanel& jobs_;
  QLineEdit *host_ = nullptr, *calledAe_ = nullptr, *callingAe_ = nullptr;
  QSpinBox *port_ = nullptr, *timeout_ = nullptr, *movePort_ = nullptr;
  QLineEdit *patientId_ = nullptr, *patientName_ = nullptr, *studyDate_ = nullptr, *modality_ = nullptr;
  QPushButton *retrieve_ = nullptr, *send_ = nullptr;
  QTableWidget *studies_ = nullptr, *series_ = nullptr;
  QLabel* status_ = nullptr;
  std::vector<pacs::StudyMatch> studyRows_;
  std::vector<pacs::SeriesMatch> seriesRows_;
};

}  // namespace meridian::ui
