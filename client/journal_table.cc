#include "client/journal_table.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/aligned_table.h"
#include "client/stats_table.h"
#include "client/text_cell.h"

namespace corouter::client {

std::string FormatParameters(const corouter::v1::JournalEntry& entry) {
  std::string out;
  for (const corouter::v1::BoundParameter& p : entry.parameters()) {
    absl::StrAppend(&out, out.empty() ? "" : " ", p.name(), "=", p.value_json());
  }
  return out;
}

std::vector<std::string> RenderJournalTable(
    const google::protobuf::RepeatedPtrField<corouter::v1::JournalEntry>& entries) {
  std::vector<std::vector<std::string>> rows = {{"SEQ", "RECEIVED", "METHOD", "TARGET", "ROUTE",
                                                 "ENDPOINT", "STATUS", "DURATION", "PARAMETERS"}};
  for (const corouter::v1::JournalEntry& e : entries) {
    rows.push_back({absl::StrCat(e.sequence()),
                    absl::FormatTime("%H:%M:%E3S", absl::FromUnixNanos(e.received_unix_nanos()),
                                     absl::UTCTimeZone()),
                    SanitizeCell(e.request().method()), SanitizeCell(e.request().target()),
                    e.path_template().empty() ? "-" : SanitizeCell(e.path_template()),
                    e.endpoint().empty() ? "-" : SanitizeCell(e.endpoint()),
                    e.cancelled() ? "cancelled" : absl::StrCat(e.status_code()),
                    FormatNanos(e.duration_nanos()), SanitizeCell(FormatParameters(e))});
  }
  return RenderAlignedTable(rows);
}

}  // namespace corouter::client
