// ProjectStore: model runs and the predictions they stored.
#include <sqlite3.h>

#include "ProjectStoreImpl.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

// --- model runs and predictions --------------------------------------------------------------

core::Result<ModelRunId> ProjectStore::startModelRun(ModelRun run) {
  ModelRunId id = 0;
  {
    std::lock_guard lk(impl_->mutex);
    auto s = impl_->transaction("recording a model run", [&]() -> core::Status {
      sql::Statement st(impl_->db,
                        "INSERT INTO model_runs(task, model_name, weights_sha256, parameters_json, started_utc, status) "
                        "VALUES(?,?,?,?,?, 'running')");
      st.bind(1, run.task).bind(2, run.modelName).bind(3, run.weightsSha256);
      st.bind(4, run.parametersJson.empty() ? std::string("{}") : run.parametersJson).bind(5, utcNow());
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, "recording a model run");
      id = sqlite3_last_insert_rowid(impl_->db);
      return impl_->appendEvent("run.start", std::nullopt,
                                {{"run", id}, {"task", run.task}, {"model", run.modelName}, {"weightsSha256", run.weightsSha256}});
    });
    if (!s) return s.error();
  }
  impl_->notify({ProjectChange::What::ModelRuns, std::nullopt});
  return id;
}

core::Status ProjectStore::finishModelRun(ModelRunId id, const std::string& status) {
  {
    std::lock_guard lk(impl_->mutex);
    auto s = impl_->transaction("finishing model run " + std::to_string(id), [&]() -> core::Status {
      sql::Statement st(impl_->db, "UPDATE model_runs SET finished_utc = ?, status = ? WHERE id = ?");
      st.bind(1, utcNow()).bind(2, status).bind(3, id);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, "finishing model run");
      if (sqlite3_changes(impl_->db) == 0) return makeError(ErrorCode::NotFound, "no model run " + std::to_string(id));
      return impl_->appendEvent("run.finish", std::nullopt, {{"run", id}, {"status", status}});
    });
    if (!s) return s;
  }
  impl_->notify({ProjectChange::What::ModelRuns, std::nullopt});
  return core::Ok{};
}

core::Result<std::vector<ModelRun>> ProjectStore::listModelRuns() const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT id, task, model_name, weights_sha256, parameters_json, started_utc, finished_utc, status "
                    "FROM model_runs ORDER BY id");
  std::vector<ModelRun> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    out.push_back({st.integer(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6), st.text(7)});
  if (rc != SQLITE_DONE) return impl_->fail(rc, "listing model runs");
  return out;
}

core::Result<PredictionId> ProjectStore::addPrediction(Prediction p) {
  PredictionId id = 0;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "saving a prediction for case " + std::to_string(p.caseId);
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      if (auto c = impl_->requireCase(p.caseId); !c) return c;
      sql::Statement st(impl_->db,
                        "INSERT INTO predictions(case_id, run_id, weights_sha256, outputs_json, map_file, created_utc) "
                        "VALUES(?,?,?,?,?,?)");
      st.bind(1, p.caseId).bind(2, p.runId).bind(3, p.weightsSha256);
      st.bind(4, p.outputsJson.empty() ? std::string("{}") : p.outputsJson).bind(5, p.mapFile).bind(6, utcNow());
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      id = sqlite3_last_insert_rowid(impl_->db);
      return impl_->appendEvent("prediction.add", p.caseId,
                                {{"prediction", id}, {"weightsSha256", p.weightsSha256}, {"mapFile", p.mapFile}});
    });
    if (!s) return s.error();
  }
  impl_->notify({ProjectChange::What::Predictions, p.caseId});
  return id;
}

core::Result<std::vector<Prediction>> ProjectStore::predictions(CaseId caseId) const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db,
                    "SELECT id, case_id, run_id, weights_sha256, outputs_json, map_file, created_utc FROM predictions "
                    "WHERE case_id = ? ORDER BY id");
  st.bind(1, caseId);
  std::vector<Prediction> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    Prediction p;
    p.id = st.integer(0);
    p.caseId = st.integer(1);
    if (!st.isNull(2)) p.runId = st.integer(2);
    p.weightsSha256 = st.text(3);
    p.outputsJson = st.text(4);
    p.mapFile = st.text(5);
    p.createdUtc = st.text(6);
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "reading predictions of case " + std::to_string(caseId));
  return out;
}
}  // namespace meridian::project
