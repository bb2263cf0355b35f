// client/journal_table.h
//
// Renders the request journal for `corouter requests`: one row per entry,
// oldest first: its sequence number, when it was received (UTC), method,
// target, route (the path template, "-" for none), endpoint, status
// ("cancelled" for none), duration, and the parameters after coercion
// (name=JSON, space-separated).
//
// Pure (no I/O) and thread-safe. Lines carry no newline.
#ifndef COROUTER_CLIENT_JOURNAL_TABLE_H_
#define COROUTER_CLIENT_JOURNAL_TABLE_H_

#include <string>
#include <vector>

#include "corouter/v1/execution.pb.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace corouter::client {

std::vector<std::string> RenderJournalTable(
    const google::protobuf::RepeatedPtrField<corouter::v1::JournalEntry>& entries);

/// "item_id=1 q=\"test\"": an entry's parameters for the table.
std::string FormatParameters(const corouter::v1::JournalEntry& entry);

}  // namespace corouter::client

#endif  // COROUTER_CLIENT_JOURNAL_TABLE_H_
