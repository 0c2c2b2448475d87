// ProjectStore: review decisions (reviewer, UTC time, decision, correction).
#include <sqlite3.h>

#include "ProjectStoreImpl.hpp"
#include "meridian/project/ProjectStore.hpp"

namespace meridian::project {

using core::ErrorCode;
using core::makeError;
using json = nlohmann::json;

// --- review --------------------------------------------------------------------------------

core::Result<std::int64_t> ProjectStore::addReview(ReviewDecision d) {
  {
    std::lock_guard lk(impl_->mutex);
    if (d.reviewer.empty()) d.reviewer = impl_->actor;
  }
  if (d.reviewer.empty()) return makeError(ErrorCode::InvalidArgument, "a review decision needs a reviewer name");
  if (d.decision.empty()) return makeError(ErrorCode::InvalidArgument, "a review decision needs a decision");
  d.decidedUtc = utcNow();
  return impl_->insertCaseRow(
      d.caseId, "saving a review of case " + std::to_string(d.caseId),
      "INSERT INTO reviews(case_id, prediction_id, reviewer, decided_utc, decision, correction) VALUES(?,?,?,?,?,?)",
      [&](sql::Statement& st) {
        st.bind(1, d.caseId).bind(2, d.predictionId).bind(3, d.reviewer).bind(4, d.decidedUtc).bind(5, d.decision);
        st.bind(6, d.correction);
      },
      "review.add",
      [&](std::int64_t id) {
        json payload{{"review", id}, {"reviewer", d.reviewer}, {"decision", d.decision}, {"correction", d.correction}};
        if (d.predictionId) payload["prediction"] = *d.predictionId;
        return payload;
      },
      ProjectChange::What::Reviews);
}

core::Result<std::vector<ReviewDecision>> ProjectStore::reviews(CaseId caseId) const {
  return impl_->readCaseRows(
      caseId,
      "SELECT id, case_id, prediction_id, reviewer, decided_utc, decision, correction FROM reviews "
      "WHERE case_id = ? ORDER BY id",
      [](const sql::Statement& r) {
        ReviewDecision d;
        d.id = r.integer(0);
        d.caseId = r.integer(1);
        if (!r.isNull(2)) d.predictionId = r.integer(2);
        d.reviewer = r.text(3);
        d.decidedUtc = r.text(4);
        d.decision = r.text(5);
        d.correction = r.text(6);
        return d;
      },
      "reading reviews of case " + std::to_string(caseId));
}

core::Status ProjectStore::removeReview(std::int64_t reviewId) {
  std::optional<CaseId> caseId;
  {
    std::lock_guard lk(impl_->mutex);
    const std::string doing = "taking back review decision " + std::to_string(reviewId);
    auto s = impl_->transaction(doing, [&]() -> core::Status {
      json payload{{"review", reviewId}};
      {
        sql::Statement st(impl_->db, "SELECT case_id, reviewer, decision, correction FROM reviews WHERE id = ?");
        st.bind(1, reviewId);
        const int rc = st.step();
        if (rc == SQLITE_DONE)
          return makeError(ErrorCode::NotFound, "the project has no review decision " + std::to_string(reviewId));
        if (rc != SQLITE_ROW) return impl_->fail(rc, doing);
        caseId = st.integer(0);
        payload["reviewer"] = st.text(1);
        payload["decision"] = st.text(2);
        payload["correction"] = st.text(3);
      }
      sql::Statement st(impl_->db, "DELETE FROM reviews WHERE id = ?");
      st.bind(1, reviewId);
      if (const int rc = st.step(); rc != SQLITE_DONE) return impl_->fail(rc, doing);
      return impl_->appendEvent("review.remove", caseId, payload);
    });
    if (!s) return s;
  }
  impl_->notify({ProjectChange::What::Reviews, caseId});
  return core::Ok{};
}

}  // namespace meridian::project
