// The audit hash chain.
#include "store/audit_chain.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace hearth::store {
namespace {

void append_field(std::string& out, const std::string& field) {
  const auto n = static_cast<std::uint32_t>(field.size());
  out.push_back(static_cast<char>((n >> 24U) & 0xFFU));
  out.push_back(static_cast<char>((n >> 16U) & 0xFFU));
  out.push_back(static_cast<char>((n >> 8U) & 0xFFU));
  out.push_back(static_cast<char>(n & 0xFFU));
  out += field;
}

std::string hex(const unsigned char* bytes, unsigned int n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{n} * 2);
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4U]);
    out.push_back(digits[bytes[i] & 0x0FU]);
  }
  return out;
}

}  // namespace

const std::string genesis_hash(64, '0');

std::string audit_hash(std::int64_t seq, const audit_entry& entry, const std::string& prev_hash) {
  std::string canonical;
  append_field(canonical, std::to_string(seq));
  append_field(canonical, std::to_string(entry.at));
  append_field(canonical, entry.actor);
  append_field(canonical, entry.actor_role);
  append_field(canonical, entry.action);
  append_field(canonical, entry.target);
  append_field(canonical, entry.session);
  append_field(canonical, entry.outcome);
  append_field(canonical, entry.detail);
  append_field(canonical, prev_hash);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest.data(), &length, EVP_sha256(),
                 nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex(digest.data(), length);
}

std::string check_audit_record(const audit_record& record, const std::string& expected_prev) {
  if (record.prev_hash != expected_prev) {
    return "does not follow the record before it (removed, inserted or reordered records)";
  }
  if (record.hash != audit_hash(record.seq, record.entry, record.prev_hash)) {
    return "its contents do not match its hash (altered record)";
  }
  return {};
}

audit_verification verify_chain(
    const std::function<std::vector<audit_record>(const audit_query&)>& read,
    const std::optional<audit_anchor>& anchor) {
  audit_verification result;
  std::string expected_prev = anchor ? anchor->hash : genesis_hash;
  std::int64_t expected_seq = anchor ? anchor->seq + 1 : 1;
  result.purged_through = anchor ? anchor->seq : 0;
  audit_query page;
  page.limit = 10'000;
  for (;;) {
    const auto records = read(page);
    for (const auto& r : records) {
      ++result.records;
      std::string why;
      if (r.seq <= result.purged_through) {
        why = "it is numbered among the purged records (inserted record)";
      } else if (r.seq != expected_seq) {
        why = "a record is missing before it";
      } else {
        why = check_audit_record(r, expected_prev);
      }
      if (!why.empty()) {
        result.first_broken = r.seq;
        result.reason = std::move(why);
        return result;
      }
      expected_prev = r.hash;
      ++expected_seq;
    }
    if (records.size() < page.limit) {
      return result;
    }
    page.after_seq = records.back().seq;
  }
}

}  // namespace hearth::store
