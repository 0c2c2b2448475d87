#include "meridian/ui/CaseTree.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>

#include "meridian/project/ProjectImport.hpp"
#include "meridian/ui/IncompleteSeriesText.hpp"

namespace meridian::ui {
namespace {

std::string fileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

CaseTreeNode caseNode(const project::CaseRecord& record) {
  CaseTreeNode node;
  node.kind = CaseTreeNode::Kind::Case;
  node.label = caseLabel(record);
  node.caseId = record.id;
  // The mark the series joined with; a damaged mark is itself worth the warning sign.
  auto gaps = project::incompletenessOf(record);
  node.warning = gaps ? incompleteSeriesText(gaps.value().missing, gaps.value().unreadable) : gaps.error().message;
  return node;
}

CaseTreeNode group(std::string label, std::vector<const project::CaseRecord*> records) {
  std::sort(records.begin(), records.end(), [](const auto* a, const auto* b) {
    return std::make_tuple(fileName(a->path), a->id) < std::make_tuple(fileName(b->path), b->id);
  });
  CaseTreeNode node;
  node.label = std::move(label);
  for (const auto* r : records) node.children.push_back(caseNode(*r));
  return node;
}

}  // namespace

std::string caseLabel(const project::CaseRecord& r) {
  if (r.seriesUid.empty()) return fileName(r.path);
  const std::size_t n = r.files.size();
  return r.modality + " · " + (r.seriesDescription.empty() ? std::string("series") : r.seriesDescription) + " (" +
         std::to_string(n) + (n == 1 ? " image)" : " images)");
}

std::vector<CaseTreeNode> buildCaseTree(const std::vector<project::CaseRecord>& cases) {
  // patient key -> study key -> series
  std::map<std::string, std::map<std::string, std::vector<const project::CaseRecord*>>> dicom;
  std::vector<const project::CaseRecord*> slides, images, volumes;
  for (const auto& r : cases) {
    if (!r.seriesUid.empty())
      dicom[r.patientName + "\x1f" + r.patientId][r.studyDate + "\x1f" + r.studyUid].push_back(&r);
    else if (r.kind == project::CaseKind::Slide)
      slides.push_back(&r);
    else if (r.kind == project::CaseKind::Image)
      images.push_back(&r);
    else
      volumes.push_back(&r);
  }
  std::vector<CaseTreeNode> tree;
  for (auto& [patientKey, studies] : dicom) {
    const project::CaseRecord& first = *studies.begin()->second.front();
    CaseTreeNode patient;
    patient.kind = CaseTreeNode::Kind::Patient;
    patient.label = (first.patientName.empty() ? std::string("(no name)") : first.patientName) +
                    (first.patientId.empty() ? "" : " (" + first.patientId + ")");
    for (auto& [studyKey, series] : studies) {
      std::sort(series.begin(), series.end(), [](const auto* a, const auto* b) {
        return std::make_tuple(a->seriesNumber, a->id) < std::make_tuple(b->seriesNumber, b->id);
      });
      CaseTreeNode study;
      study.kind = CaseTreeNode::Kind::Study;
      const auto& s = *series.front();
      study.label = (s.studyDate.empty() ? std::string("(no date)") : s.studyDate) +
                    (s.studyDescription.empty() ? "" : " · " + s.studyDescription);
      for (const auto* r : series) study.children.push_back(caseNode(*r));
      patient.children.push_back(std::move(study));
    }
    tree.push_back(std::move(patient));
  }
  if (!slides.empty()) tree.push_back(group("Slides", std::move(slides)));
  if (!images.empty()) tree.push_back(group("2D images", std::move(images)));
  if (!volumes.empty()) tree.push_back(group("Volumes", std::move(volumes)));
  return tree;
}

namespace {
void collect(const std::vector<CaseTreeNode>& nodes, std::vector<project::CaseId>& out) {
  for (const auto& n : nodes) {
    if (n.caseId) out.push_back(*n.caseId);
    collect(n.children, out);
  }
}
}  // namespace

std::vector<project::CaseId> caseOrder(const std::vector<CaseTreeNode>& tree) {
  std::vector<project::CaseId> order;
  collect(tree, order);
  return order;
}

std::optional<project::CaseId> stepCase(const std::vector<project::CaseId>& order,
                                        std::optional<project::CaseId> current, int step) {
  if (order.empty()) return std::nullopt;
  const auto at = current ? std::find(order.begin(), order.end(), *current) : order.end();
  if (at == order.end()) return order.front();
  const auto index = static_cast<long>(at - order.begin()) + step;
  return order[static_cast<std::size_t>(std::clamp(index, 0L, static_cast<long>(order.size()) - 1))];
}

}  // namespace meridian::ui
