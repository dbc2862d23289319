// The worksheet template library, read once before the server serves.
#include "app/worksheet_templates.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "telemetry/log.hpp"
#include "worksheets/template_json.hpp"

namespace hearth::app {

std::shared_ptr<const core::worksheet_templates> load_worksheet_templates(const std::string& dir) {
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
  auto templates = std::make_shared<core::worksheet_templates>();
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
    if (!templates->add(*parsed.value)) {
      throw std::runtime_error("worksheet template " + path.string() + ": " + parsed.value->id() +
                               " version " + std::to_string(parsed.value->version()) +
                               " is defined twice");
    }
  }
  if (templates->size() == 0) {
    throw std::runtime_error("--worksheet-templates: no *.json template in " + dir);
  }
  telemetry::log(telemetry::level::info, "worksheet_templates_loaded",
                 {{"templates", static_cast<std::int64_t>(templates->size())}});
  return templates;
}

}  // namespace hearth::app
