// A room's worksheets: the templates it may use, its instances (each with its
// sequencer, owner and sharing), the changes waiting for their store commit,
// and who is in which field. Plain state; the rules that use it (scopes,
// commands, events) are the room's (room_worksheets.cpp). Pure.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/effects.hpp"
#include "core/ring.hpp"
#include "core/types.hpp"
#include "worksheets/worksheet.hpp"

namespace hearth::core {

// Every template version the server knows: the built-in files and the
// facilitators' own (ids starting with custom_template_prefix). A value: the
// shell swaps in a new copy when a template is saved or retired
// (admin/template_catalog.hpp, in the shell) and rooms keep the copy they were given, so a sheet
// always finds the version it was made from.
inline constexpr std::string_view custom_template_prefix = "c_";
bool is_custom_template_id(const std::string& id);

enum class with_retired : std::uint8_t { no, yes };

class worksheet_templates {
 public:
  // False when this (id, version) is already there.
  bool add(const v1::WorksheetTemplate& t);
  // No new sheet is made from a retired template; its versions stay for the
  // sheets made from them.
  void retire(const std::string& id) { retired_.insert(id); }
  bool retired(const std::string& id) const { return retired_.contains(id); }
  // The latest version, unless the template is retired.
  const v1::WorksheetTemplate* current(const std::string& id) const;
  // The latest version, retired or not.
  const v1::WorksheetTemplate* newest(const std::string& id) const;
  const v1::WorksheetTemplate* find(const std::string& id, std::uint32_t version) const;
  // Every version of one template, oldest first.
  std::vector<const v1::WorksheetTemplate*> versions(const std::string& id) const;
  // The latest version of each template, by id.
  std::vector<const v1::WorksheetTemplate*> latest(with_retired which = with_retired::no) const;
  std::size_t size() const { return by_id_.size(); }
  // Facilitators' template ids, retired ones included.
  std::size_t custom_count() const;

 private:
  std::map<std::string, std::map<std::uint32_t, v1::WorksheetTemplate>> by_id_;
  std::set<std::string> retired_;
};

// A sheet as read back from the store when the room opens.
struct stored_worksheet {
  worksheet_instance_record created;
  v1::WorksheetSharing sharing = v1::WORKSHEET_SHARING_UNSPECIFIED;
  // Commits in version order, each with its author's subject.
  std::vector<std::pair<std::string, v1::WorksheetCommit>> log;
};

// A batch waiting for the instance's previous commit to be durable.
struct queued_batch {
  connection_id connection = 0;
  std::uint32_t request_id = 0;
  member_id from = 0;
  v1::WorksheetBatch batch;
};

// Where a member is in a sheet, and when they last said so (or edited it).
struct presence_entry {
  v1::WorksheetPresence where;
  time_ms refreshed = 0;
};

struct sheet_entry {
  sheet_entry(std::string instance_id, worksheets::worksheet seq, worksheets::sheet whose)
      : id(std::move(instance_id)), sequencer(std::move(seq)), owner(std::move(whose)) {}
  std::string id;
  worksheets::worksheet sequencer;  // durable commits only
  worksheets::sheet owner;          // owner_family: "f" + the family's participant's member id
  std::string owner_subject;        // personal sheets
  std::string family_subject;       // family sheets: the family's participant
  v1::WorksheetSharing sharing = v1::WORKSHEET_SHARING_UNSPECIFIED;
  // One commit at a time goes to the store: the next batch is proposed
  // against the durable state only, so a failed commit leaves nothing to undo.
  std::optional<std::uint64_t> storing;  // its ticket
  ring<queued_batch> queue;
};

// What a store ticket will do once committed.
struct pending_creation {
  std::vector<sheet_entry> sheets;
  std::vector<worksheet_instance_record> records;
  connection_id connection = 0;
  std::uint32_t request_id = 0;
  member_id by = 0;
  // Who asked, as they were then: the audit record names them even if they
  // left before the store answered.
  std::string by_subject;
  v1::Role by_role = v1::ROLE_UNSPECIFIED;
  std::string action;  // audit action: worksheet_pushed, worksheet_opened
};
struct pending_commit {
  std::uint64_t sheet = 0;  // book number
  v1::WorksheetCommit commit;
  connection_id connection = 0;
  std::uint32_t request_id = 0;
};

struct pending_template {
  connection_id connection = 0;
  std::uint32_t request_id = 0;
  std::string by_subject;  // who asked, as they were then (for the audit record)
  v1::Role by_role = v1::ROLE_UNSPECIFIED;
  std::string template_id;
  std::uint32_t version = 0;  // 0: a retirement
};
using pending_work = std::variant<pending_creation, pending_commit, pending_template>;

class worksheet_book {
 public:
  void use(std::shared_ptr<const worksheet_templates> templates) {
    templates_ = std::move(templates);
  }
  const worksheet_templates* templates() const { return templates_.get(); }

  // "ws-<n>": numbers never reused in the room, nor across restarts (restore
  // moves the counter past what the store held).
  std::string next_id() { return "ws-" + std::to_string(next_number_++); }
  static std::optional<std::uint64_t> number_of(const std::string& instance_id);

  sheet_entry* find(const std::string& instance_id);
  const sheet_entry* find(const std::string& instance_id) const;
  sheet_entry& insert(sheet_entry entry);
  const std::map<std::uint64_t, sheet_entry>& sheets() const { return sheets_; }
  std::size_t count() const { return sheets_.size() + creating_; }

  std::uint64_t hold(pending_work work);
  std::optional<pending_work> release(std::uint64_t ticket);
  // Whether a save or retirement of this template waits for its store commit.
  bool template_storing(const std::string& template_id) const;

  // Presence: where each member is (field_id empty: nowhere).
  std::unordered_map<member_id, presence_entry>& presence() { return presence_; }
  const std::unordered_map<member_id, presence_entry>& presence() const { return presence_; }

  std::string check_invariants() const;

 private:
  std::shared_ptr<const worksheet_templates> templates_;
  std::map<std::uint64_t, sheet_entry> sheets_;  // by number: oldest first
  std::map<std::uint64_t, pending_work> pending_;
  std::size_t creating_ = 0;  // sheets in pending creations
  std::uint64_t next_number_ = 1;
  std::uint64_t next_ticket_ = 1;
  std::unordered_map<member_id, presence_entry> presence_;
};

}  // namespace hearth::core
