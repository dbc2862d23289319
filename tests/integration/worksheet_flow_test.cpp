// Worksheets over real sockets: three clients, each with the library's
// replica, edit one long-text field and one list of a session sheet at once
// and converge to the same document as the server; and acknowledged edits
// survive a SIGKILL of the server.
#include <gtest/gtest.h>

#include <random>

#include "server_process.hpp"
#include "worksheets/codec.hpp"
#include "worksheets/order_key.hpp"
#include "worksheets/replica.hpp"
#include "worksheets/text_op.hpp"

namespace hearth::testing {
namespace {

using namespace std::chrono_literals;
namespace ws = hearth::worksheets;

struct editor {
  std::unique_ptr<client::ws_client> conn;
  std::uint32_t member = 0;
  std::optional<ws::replica> sheet;
  std::uint32_t next_request = 1000;
};

v1::ClientMessage command(v1::WorksheetCommand c, std::uint32_t request_id) {
  v1::ClientMessage m;
  m.set_request_id(request_id);
  *m.mutable_worksheet() = std::move(c);
  return m;
}

// Feeds every message waiting on `e` to its replica; false once closed.
void pump(editor& e, std::chrono::milliseconds wait) {
  while (auto m = e.conn->receive(wait)) {
    wait = 1ms;
    if (m->has_event() && m->event().has_worksheet_opened() && !e.sheet) {
      const auto& sheet = m->event().worksheet_opened().sheet();
      e.sheet = ws::replica::open("c" + std::to_string(e.member), e.member, sheet.form(),
                                  sheet.document());
    } else if (m->has_event() && m->event().has_worksheet_committed() && e.sheet) {
      EXPECT_NE(e.sheet->receive(m->event().worksheet_committed().commit()),
                ws::replica::outcome::gap);
    } else if (m->has_reply() && m->reply().has_worksheet() && e.sheet &&
               m->reply().worksheet().has_ack()) {
      EXPECT_NE(e.sheet->receive(m->reply().worksheet().ack()), ws::replica::outcome::rejected)
          << v1::WorksheetError_Name(m->reply().worksheet().ack().error());
    }
  }
  if (e.sheet) {
    if (auto batch = e.sheet->next_batch()) {
      v1::WorksheetCommand c;
      *c.mutable_submit() = std::move(*batch);
      e.conn->send(command(c, e.next_request++));
    }
  }
}

std::size_t text_length(const ws::document& d) {
  return d.fields.at("success_signs").own.text.size();
}

// A random local edit: text into the long text, or an item into the list.
void edit(editor& e, std::mt19937& rng, int n) {
  const auto& view = e.sheet->view();
  ws::op o;
  if (rng() % 3 != 0) {
    o.where.field = "success_signs";
    ws::text_op t;
    const auto len = static_cast<std::uint32_t>(text_length(view));
    ws::push_retain(t, len == 0 ? 0 : static_cast<std::uint32_t>(rng() % (len + 1)));
    const std::u32string piece = U"é" + std::u32string(1, static_cast<char32_t>('a' + n % 26));
    ws::push_insert(t, piece);
    ws::trim(t);
    o.what = t;
  } else {
    o.where.field = "changes";
    o.where.item = "c" + std::to_string(e.member) + "-" + std::to_string(n);
    o.what = ws::insert_op{ws::key_between("", "")};
  }
  ASSERT_EQ(e.sheet->edit(o), ws::error::none);
}

TEST(worksheet_flow, three_clients_editing_one_field_and_one_list_converge) {
  server_process server;
  std::vector<editor> editors(3);
  const char* roles[] = {"facilitator", "participant", "participant"};
  for (std::size_t i = 0; i < editors.size(); ++i) {
    v1::JoinResult joined;
    editors[i].conn = server.join(
        server.mint("r1", roles[i], "s" + std::to_string(i), "n" + std::to_string(i)), &joined);
    editors[i].member = joined.member_id();
  }
  v1::WorksheetCommand push;
  push.mutable_push()->set_template_id("change_plan");
  push.mutable_push()->set_scope(v1::WORKSHEET_SCOPE_SESSION);
  auto pushed = editors[0].conn->await_reply(editors[0].conn->request(command(push, 0)), 5s);
  ASSERT_TRUE(pushed && pushed->has_worksheet()) << pushed->ShortDebugString();
  for (auto& e : editors) {
    for (int i = 0; i < 50 && !e.sheet; ++i) {
      pump(e, 100ms);
    }
    ASSERT_TRUE(e.sheet);
  }
  std::mt19937 rng(20240607);
  const int rounds = 40;  // about 40 list items: under the list's 50
  for (int n = 0; n < rounds; ++n) {
    for (auto& e : editors) {
      edit(e, rng, n);
      pump(e, 0ms);
    }
  }
  // Quiescence: nothing queued or in flight anywhere.
  for (int i = 0; i < 200; ++i) {
    bool idle = true;
    for (auto& e : editors) {
      pump(e, 20ms);
      idle = idle && e.sheet->idle();
    }
    if (idle && editors[0].sheet->version() == editors[1].sheet->version() &&
        editors[1].sheet->version() == editors[2].sheet->version()) {
      break;
    }
  }
  for (auto& e : editors) {
    ASSERT_TRUE(e.sheet->idle());
    EXPECT_EQ(e.sheet->view(), e.sheet->confirmed());
    EXPECT_EQ(e.sheet->view(), editors[0].sheet->view());
  }
  const auto& doc = editors[0].sheet->view();
  EXPECT_EQ(text_length(doc),
            static_cast<std::size_t>(2 * 3 * rounds) - 2 * (doc.fields.at("changes").items.size()));
  // A newcomer's snapshot holds the same document.
  v1::JoinResult late;
  auto watcher = server.join(server.mint("r1", "participant", "late", "Late"), &late);
  ASSERT_EQ(late.snapshot().worksheets_size(), 1);
  const auto fresh = ws::document_from_wire(late.snapshot().worksheets(0).document());
  ASSERT_TRUE(fresh);
  EXPECT_EQ(*fresh, doc);
  EXPECT_EQ(late.snapshot().worksheets(0).document().version(), editors[0].sheet->version());
}

TEST(worksheet_flow, acknowledged_edits_survive_a_killed_server) {
  server_process server;
  const auto f_token = server.mint("r1", "facilitator", "f", "F");
  const auto p_token = server.mint("r1", "participant", "p", "P");
  auto f = server.join(f_token);
  v1::JoinResult joined;
  auto p = server.join(p_token, &joined);
  v1::WorksheetCommand open;
  open.mutable_open()->set_template_id("thought_record");
  auto opened = p->await_reply(p->request(command(open, 0)), 5s);
  ASSERT_TRUE(opened && opened->has_worksheet());
  const auto id = opened->worksheet().instance_ids(0);
  std::uint64_t acked = 0;
  for (std::uint64_t seq = 1; seq <= 20; ++seq) {
    v1::WorksheetCommand c;
    auto* b = c.mutable_submit();
    b->set_instance_id(id);
    b->set_base_version(seq - 1);
    b->set_client_id("pc");
    b->set_client_seq(seq);
    auto* op = b->add_ops();
    op->mutable_target()->set_field_id("situation");
    op->mutable_text()->add_components()->set_insert("x");
    auto reply = p->await_reply(p->request(command(c, 0)), 5s);
    ASSERT_TRUE(reply && reply->has_worksheet()) << reply->ShortDebugString();
    EXPECT_EQ(reply->worksheet().ack().version(), seq);
    acked = seq;
  }
  server.kill_and_restart();
  v1::JoinResult again;
  auto back = server.join(p_token, &again);
  ASSERT_EQ(again.snapshot().worksheets_size(), 1);
  const auto& doc = again.snapshot().worksheets(0).document();
  EXPECT_EQ(doc.instance_id(), id);
  EXPECT_EQ(doc.owner_member(), again.member_id());
  EXPECT_EQ(doc.version(), acked);
  for (const auto& field : doc.fields()) {
    if (field.field_id() == "situation") {
      EXPECT_EQ(field.value().text(), std::string(acked, 'x'));
    }
  }
  // A resend of an acknowledged batch is answered with its version, not applied again.
  v1::WorksheetCommand c;
  auto* b = c.mutable_submit();
  b->set_instance_id(id);
  b->set_base_version(acked - 1);
  b->set_client_id("pc");
  b->set_client_seq(acked);
  b->add_ops()->mutable_target()->set_field_id("situation");
  b->mutable_ops(0)->mutable_text()->add_components()->set_insert("x");
  auto reply = back->await_reply(back->request(command(c, 0)), 5s);
  ASSERT_TRUE(reply && reply->has_worksheet());
  EXPECT_EQ(reply->worksheet().ack().version(), acked);
}

}  // namespace
}  // namespace hearth::testing
