#include "coedit.hpp"

#include "payload.hpp"
#include "worksheets/text_op.hpp"

namespace hearth::bench {
namespace {

// Keeps the field well under the long-text limit (5000 code points by
// default): the server refuses an edit that would pass it.
constexpr std::uint32_t kept_code_points = 600;

}  // namespace

std::optional<coedit> coedit::open(std::uint32_t index, std::uint32_t self,
                                   const v1::WorksheetSheet& sheet) {
  auto r =
      worksheets::replica::open("lg" + std::to_string(index), self, sheet.form(), sheet.document());
  if (!r) {
    return std::nullopt;
  }
  return coedit(std::move(*r), sheet.document().instance_id(), kept_code_points);
}

bool coedit::edit(std::string_view stamp, std::uint64_t scheduled_ns) {
  const auto& fields = replica_.view().fields;
  const auto field = fields.find(std::string(coedit_field));
  if (field == fields.end()) {
    return false;
  }
  const auto length = static_cast<std::uint32_t>(field->second.own.text.size());
  const auto added = static_cast<std::uint32_t>(stamp.size());
  worksheets::text_op t;
  std::uint32_t kept = length;
  if (length + added > limit_) {
    // Back to half the limit: members cutting at once cut the same text
    // (each character is deleted once), so cutting only what this edit
    // adds would let the field grow with the number of writers.
    const std::uint32_t cut = std::min(length, length + added - limit_ / 2);
    worksheets::push_erase(t, cut);
    kept = length - cut;
  }
  worksheets::push_retain(t, kept);
  const std::u32string text(stamp.begin(), stamp.end());  // ASCII
  worksheets::push_insert(t, text);
  worksheets::op o{{std::string(coedit_field), {}, {}}, std::move(t)};
  if (replica_.edit(o) != worksheets::error::none) {
    return false;
  }
  queued_.push_back(scheduled_ns);
  return true;
}

std::optional<v1::WorksheetBatch> coedit::next_batch() {
  auto batch = replica_.next_batch();
  if (batch) {
    sent_[batch->client_seq()] = std::move(queued_);
    queued_.clear();
  }
  return batch;
}

std::vector<std::uint64_t> coedit::answered(const v1::WorksheetAck& ack, bool& refused) {
  refused = ack.error() != v1::WORKSHEET_ERROR_NONE;
  replica_.receive(ack);
  const auto it = sent_.find(ack.client_seq());
  if (it == sent_.end()) {
    return {};
  }
  auto times = std::move(it->second);
  sent_.erase(it);
  if (refused) {
    times.clear();
  }
  return times;
}

void coedit::committed(const v1::WorksheetCommit& commit, std::vector<std::string>& stamps) {
  const bool own = commit.client_id() == replica_.client_id();
  replica_.receive(commit);
  if (own) {
    return;
  }
  for (const auto& op : commit.ops()) {
    if (!op.has_text()) {
      continue;
    }
    for (const auto& part : op.text().components()) {
      if (!part.has_insert()) {
        continue;
      }
      const std::string_view inserted = part.insert();
      for (std::size_t at = 0; at + stamp_bytes <= inserted.size(); at += stamp_bytes) {
        stamps.emplace_back(inserted.substr(at, stamp_bytes));
      }
    }
  }
}

}  // namespace hearth::bench
