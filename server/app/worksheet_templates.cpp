// The worksheet template library, read once before the server serves.
#include "app/worksheet_templates.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "telemetry/log.hpp"
#include "worksheets/template_check.hpp"
#include "worksheets/template_json.hpp"

namespace hearth::app {

core::worksheet_templates load_worksheet_templates(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  if (ec) {
    throw std::runtime_error("--worksheet-templates: cannot read " + dir + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());  // the same order, and the same first error, every run
  core::worksheet_templates templates;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    if (in.is_open()) {
      text << in.rdbuf();
    }
    if (!in.is_open() || in.bad()) {
      throw std::runtime_error("worksheet template " + path.string() + ": cannot be read");
    }
    auto parsed = worksheets::parse_template(text.str());
    if (!parsed.value) {
      throw std::runtime_error("worksheet template " + path.string() + ": " + parsed.error);
    }
    if (core::is_custom_template_id(parsed.value->id())) {
      throw std::runtime_error("worksheet template " + path.string() + ": ids starting with " +
                               std::string(core::custom_template_prefix) +
                               " are kept for facilitators' templates");
    }
    if (!templates.add(*parsed.value)) {
      throw std::runtime_error("worksheet template " + path.string() + ": " + parsed.value->id() +
                               " version " + std::to_string(parsed.value->version()) +
                               " is defined twice");
    }
  }
  if (templates.size() == 0) {
    throw std::runtime_error("--worksheet-templates: no *.json template in " + dir);
  }
  telemetry::log(telemetry::level::info, "worksheet_templates_loaded",
                 {{"templates", static_cast<std::int64_t>(templates.size())}});
  return templates;
}

void add_stored_templates(core::worksheet_templates& templates, store::store& db) {
  std::int64_t loaded = 0;
  std::int64_t refused = 0;
  for (const auto& record : db.worksheet_templates(store::retired_templates::include)) {
    v1::WorksheetTemplate t;
    const bool usable = core::is_custom_template_id(record.template_id) &&
                        t.ParseFromString(record.body) && t.id() == record.template_id &&
                        static_cast<std::int64_t>(t.version()) == record.version &&
                        worksheets::check_template(t).empty() && templates.add(t);
    if (!usable) {
      ++refused;
      telemetry::log(
          telemetry::level::error, "worksheet_template_not_loaded",
          {{"template", std::string_view(record.template_id)}, {"version", record.version}});
      continue;
    }
    ++loaded;
    if (record.retired_at) {
      templates.retire(record.template_id);
    }
  }
  telemetry::log(telemetry::level::info, "custom_worksheet_templates_loaded",
                 {{"versions", loaded}, {"refused", refused}});
}

}  // namespace hearth::app
