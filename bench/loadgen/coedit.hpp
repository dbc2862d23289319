// W8, co-editing: one member's replica of the session sheet its room edits.
// Each edit inserts a payload stamp at the end of one long-text field (and
// cuts the oldest stamps once the text is long, so the field stays within its
// limit), through the same client replica the terminal client uses: one
// batch in flight, the rest queued and rebased on what others commit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hearth/v1/worksheet.pb.h"
#include "worksheets/replica.hpp"

namespace hearth::bench {

inline constexpr std::string_view coedit_template = "thought_record";
inline constexpr std::string_view coedit_field = "situation";

class coedit {
 public:
  // From the sheet the push made (WorksheetOpened); nothing if it does not open.
  static std::optional<coedit> open(std::uint32_t index, std::uint32_t self,
                                    const v1::WorksheetSheet& sheet);

  // A local edit inserting `stamp`; false if the replica refused it.
  bool edit(std::string_view stamp, std::uint64_t scheduled_ns);
  // The batch to send now, if none is in flight and edits wait.
  std::optional<v1::WorksheetBatch> next_batch();
  // The server's answer to a batch: the scheduled times of the edits it
  // made durable (empty for an answer already seen). Sets `refused` on an error.
  std::vector<std::uint64_t> answered(const v1::WorksheetAck& ack, bool& refused);
  // A commit on the room stream; appends the stamps other members inserted.
  void committed(const v1::WorksheetCommit& commit, std::vector<std::string>& stamps);

  const std::string& instance_id() const { return instance_; }

 private:
  coedit(worksheets::replica r, std::string instance, std::uint32_t limit)
      : replica_(std::move(r)), instance_(std::move(instance)), limit_(limit) {}

  worksheets::replica replica_;
  std::string instance_;
  std::uint32_t limit_;                // code points the field may hold
  std::vector<std::uint64_t> queued_;  // edits not yet in a batch
  std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> sent_;  // by client_seq
};

}  // namespace hearth::bench
