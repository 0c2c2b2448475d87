// ProjectStore: the project's active model (a setting in the meta table) and the models
// accepted before it (read back from the event log's model.accept events).
#include <sqlite3.h>

#include "ProjectStoreImpl.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

namespace {

json acceptedJson(const AcceptedModel& m) {
  return {{"folder", m.folder}, {"name", m.name}, {"weightsSha256", m.weightsSha256},
          {"acceptedUtc", m.acceptedUtc}, {"actor", m.actor}};
}

AcceptedModel acceptedFrom(const json& j) {
  return {j.value("folder", ""), j.value("name", ""), j.value("weightsSha256", ""), j.value("acceptedUtc", ""),
          j.value("actor", "")};
}

}  // namespace

core::Result<std::optional<AcceptedModel>> ProjectStore::activeModel() const {
  std::lock_guard lk(impl_->mutex);
  sql::Statement st(impl_->db, "SELECT value FROM meta WHERE key = 'active_model'");
  const int rc = st.step();
  if (rc == SQLITE_DONE) return std::optional<AcceptedModel>();
  if (rc != SQLITE_ROW) return impl_->fail(rc, "reading the active model");
  const auto parsed = json::parse(st.text(0), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return makeError(ErrorCode::Corrupt, "the project's active-model setting is not valid JSON");
  return std::optional<AcceptedModel>(acceptedFrom(parsed));
}

core::Status ProjectStore::acceptModel(const AcceptedModel& model) {
  if (model.folder.empty() || model.weightsSha256.empty())
    return makeError(ErrorCode::InvalidArgument, "accepting a model needs its folder and its weights' SHA-256");
  auto previous = activeModel();
  if (!previous) return previous.error();
  {
    std::lock_guard lk(impl_->mutex);
    AcceptedModel accepted = model;
    accepted.acceptedUtc = utcNow();
    accepted.actor = impl_->actor;
    auto s = impl_->transaction("accepting model " + model.folder, [&]() -> core::Status {
      sql::Statement st(impl_->db, "INSERT OR REPLACE INTO meta(key, value) VALUES('active_model', ?)");
      st.bind(1, acceptedJson(accepted).dump());
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, "saving the active model");
      return impl_->appendEvent("model.accept", std::nullopt,
                                {{"model", acceptedJson(accepted)},
                                 {"previous", previous.value() ? acceptedJson(*previous.value()) : json(nullptr)}});
    });
    if (!s) return s;
  }
  impl_->notify({ProjectChange::What::ActiveModel, std::nullopt});
  return core::Ok{};
}

core::Result<std::vector<AcceptedModel>> ProjectStore::acceptedModels() const {
  auto all = events();
  if (!all) return all.error();
  std::vector<AcceptedModel> out;
  for (const auto& e : all.value()) {
    if (e.kind != "model.accept") continue;
    const auto payload = json::parse(e.payloadJson, nullptr, false);
    if (!payload.is_discarded() && payload.contains("model") && payload["model"].is_object())
      out.push_back(acceptedFrom(payload["model"]));
  }
  return out;
}

}  // namespace meridian::project
