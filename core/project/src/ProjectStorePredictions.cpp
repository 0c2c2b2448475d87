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
  return impl_->readRows(
      st,
      [](const sql::Statement& r) {
        return ModelRun{r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)};
      },
      "listing model runs");
}

core::Result<PredictionId> ProjectStore::addPrediction(Prediction p) {
  return impl_->insertCaseRow(
      p.caseId, "saving a prediction for case " + std::to_string(p.caseId),
      "INSERT INTO predictions(case_id, run_id, weights_sha256, outputs_json, map_file, created_utc) VALUES(?,?,?,?,?,?)",
      [&](sql::Statement& st) {
        st.bind(1, p.caseId).bind(2, p.runId).bind(3, p.weightsSha256);
        st.bind(4, p.outputsJson.empty() ? std::string("{}") : p.outputsJson).bind(5, p.mapFile).bind(6, utcNow());
      },
      "prediction.add",
      [&](PredictionId id) -> json {
        return {{"prediction", id}, {"weightsSha256", p.weightsSha256}, {"mapFile", p.mapFile}};
      },
      ProjectChange::What::Predictions);
}

core::Result<std::vector<Prediction>> ProjectStore::predictions(CaseId caseId) const {
  return impl_->readCaseRows(
      caseId,
      "SELECT id, case_id, run_id, weights_sha256, outputs_json, map_file, created_utc FROM predictions "
      "WHERE case_id = ? ORDER BY id",
      [](const sql::Statement& r) {
        Prediction p;
        p.id = r.integer(0);
        p.caseId = r.integer(1);
        if (!r.isNull(2)) p.runId = r.integer(2);
        p.weightsSha256 = r.text(3);
        p.outputsJson = r.text(4);
        p.mapFile = r.text(5);
        p.createdUtc = r.text(6);
        return p;
      },
      "reading predictions of case " + std::to_string(caseId));
}
}  // namespace meridian::project
