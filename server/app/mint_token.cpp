// Token minting from the command line, with the key kept in the data directory.
#include "app/mint_token.hpp"

#include <charconv>
#include <chrono>
#include <iostream>
#include <map>
#include <stdexcept>

#include "app/alive_marker.hpp"
#include "app/config.hpp"
#include "auth/random_id.hpp"
#include "auth/token.hpp"

namespace hearth::app {
namespace {

constexpr const char* usage =
    "usage: hearthd mint-token --data-dir DIR --room ROOM --role ROLE --subject ID --name NAME\n"
    "                          [--ttl SECONDS] [--issuer ISS] [--audience AUD]\n"
    "                          [--store sqlite|postgres] [--postgres-conninfo STR]\n"
    "ROLE is one of facilitator, co_facilitator, participant, family_member, observer.\n"
    "TTL defaults to 21600 (6 hours). Prints the token on stdout. The audit record\n"
    "goes to the server's store: give the same --store (and conninfo) as the server.\n";

}  // namespace

int mint_token_command(const std::vector<std::string>& args) {
  std::map<std::string, std::string> values = {{"ttl", "21600"},
                                               {"issuer", "hearthd"},
                                               {"audience", "hearth"},
                                               {"data-dir", "./hearth-data"}};
  store_choice storage;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << usage;
      return 0;
    }
    try {
      if (parse_store_flag(args, i, storage)) {
        continue;
      }
    } catch (const std::invalid_argument& e) {
      std::cerr << "hearthd mint-token: " << e.what() << "\n" << usage;
      return 2;
    }
    if (args[i].rfind("--", 0) != 0 || i + 1 >= args.size()) {
      std::cerr << "hearthd mint-token: bad argument " << args[i] << "\n" << usage;
      return 2;
    }
    const auto name = args[i].substr(2);
    if (name != "data-dir" && name != "room" && name != "role" && name != "subject" &&
        name != "name" && name != "ttl" && name != "issuer" && name != "audience") {
      std::cerr << "hearthd mint-token: unknown option " << args[i] << "\n" << usage;
      return 2;
    }
    values[name] = args[++i];
  }
  for (const char* required : {"room", "role", "subject", "name"}) {
    if (values[required].empty()) {
      std::cerr << "hearthd mint-token: --" << required << " is required\n" << usage;
      return 2;
    }
  }
  if (const auto problem = store_choice_problem(storage); !problem.empty()) {
    std::cerr << "hearthd mint-token: " << problem << "\n" << usage;
    return 2;
  }
  const auto role = auth::parse_role(values["role"]);
  if (!role) {
    std::cerr << "hearthd mint-token: unknown role " << values["role"] << "\n" << usage;
    return 2;
  }
  std::int64_t ttl = 0;
  const auto& ttl_text = values["ttl"];
  auto [ptr, ec] = std::from_chars(ttl_text.data(), ttl_text.data() + ttl_text.size(), ttl);
  if (ec != std::errc() || ptr != ttl_text.data() + ttl_text.size() || ttl <= 0) {
    std::cerr << "hearthd mint-token: --ttl must be a positive number of seconds\n";
    return 2;
  }
  try {
    const auto key = auth::signing_key::load_or_create(values["data-dir"]);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auth::claims c;
    c.subject = values["subject"];
    c.display_name = values["name"];
    c.room = values["room"];
    c.role = *role;
    c.issuer = values["issuer"];
    c.audience = values["audience"];
    c.token_id = auth::random_hex_id(12);
    c.issued_at = now;
    c.not_before = now;
    c.expires_at = now + ttl;
    const auto token = auth::mint_token(c, key);
    // Audited before it is shown: no token leaves without its record.
    const auto db = open_store(storage, values["data-dir"]);
    db->commit(
        {store::audit_entry{wall_ms(), "operator", "operator", "token_minted", c.subject, c.room,
                            "ok", std::string(auth::role_name(c.role)) + " jti=" + c.token_id}});
    std::cout << token << "\n";
  } catch (const std::exception& e) {
    std::cerr << "hearthd mint-token: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace hearth::app
