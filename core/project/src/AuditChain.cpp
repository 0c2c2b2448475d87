#include "meridian/project/AuditChain.hpp"

#include "meridian/core/FileHash.hpp"

namespace meridian::project {

namespace {

void field(std::string& text, const std::string& value) {
  text += std::to_string(value.size());
  text += ':';
  text += value;
  text += '\n';
}

}  // namespace

std::string eventHash(const ProjectEvent& e) {
  std::string text = "meridian-event-v1\n";
  field(text, std::to_string(e.sequence));
  field(text, e.utc);
  field(text, e.actor);
  field(text, e.kind);
  field(text, e.caseId ? std::to_string(*e.caseId) : std::string("-"));
  field(text, e.payloadJson);
  field(text, e.previousHash);
  return core::sha256OfBytes(text);
}

AuditVerdict verifyEventChain(const std::vector<ProjectEvent>& events, std::int64_t highestIssued) {
  AuditVerdict v;
  std::string previous;  // the first event follows the empty hash
  std::int64_t lastSequence = 0;
  const auto broken = [&v](std::int64_t sequence, std::string problem) {
    v.intact = false;
    v.firstBrokenSequence = sequence;
    v.problem = std::move(problem);
    return v;
  };
  for (const ProjectEvent& e : events) {
    const std::string n = "event " + std::to_string(e.sequence) + " (" + e.kind + ", " + e.utc + ")";
    if (e.sequence != lastSequence + 1)
      return broken(lastSequence + 1, e.sequence > lastSequence + 1
                                          ? "event(s) " + std::to_string(lastSequence + 1) + " to " +
                                                std::to_string(e.sequence - 1) + " are missing: removed from the log"
                                          : n + " is out of order (sequence numbers were changed)");
    if (e.hash.empty())
      return broken(e.sequence, n + " has no hash: it was written without the audit chain (by a Meridian before "
                                    "it, or by hand)");
    if (e.previousHash != previous)
      return broken(e.sequence, n + " does not follow the event before it (its previous-event hash differs): an "
                                    "event before it was changed, removed or moved");
    if (eventHash(e) != e.hash) return broken(e.sequence, n + " was changed after it was written (its content no longer matches its hash)");
    previous = e.hash;
    lastSequence = e.sequence;
    ++v.eventsChecked;
  }
  if (highestIssued > lastSequence)
    return broken(lastSequence + 1, "event(s) " + std::to_string(lastSequence + 1) + " to " +
                                        std::to_string(highestIssued) + " are missing: removed from the end of the log");
  v.headHash = previous;
  return v;
}

}  // namespace meridian::project
