// Worksheet PDF: the export outline laid out line by line, so that a long
// answer breaks across pages between lines rather than being cut.
#include "pdf/worksheet_pdf.hpp"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <memory>
#include <utility>
#include <vector>

#include "worksheets/export_outline.hpp"
#include "worksheets/unicode.hpp"

namespace hearth::pdf {
namespace {

// A4 in points, and margins of 2 cm.
constexpr double page_width = 595.276;
constexpr double page_height = 841.89;
constexpr double margin = 56.7;
constexpr double footer_gap = 24;
constexpr double bottom = page_height - margin;
constexpr double text_width = page_width - 2 * margin;
constexpr double item_indent = 18;

constexpr const char* title_font = "DejaVu Sans Bold 17";
constexpr const char* heading_font = "DejaVu Sans Bold 12.5";
constexpr const char* body_font = "DejaVu Sans 10";
constexpr const char* footer_font = "DejaVu Sans 8";

struct surface_free {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct context_free {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct object_free {
  void operator()(void* o) const { g_object_unref(o); }
};
struct font_free {
  void operator()(PangoFontDescription* f) const { pango_font_description_free(f); }
};
struct attrs_free {
  void operator()(PangoAttrList* a) const { pango_attr_list_unref(a); }
};
struct iter_free {
  void operator()(PangoLayoutIter* i) const { pango_layout_iter_free(i); }
};

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Printable text: control characters gone, line breaks kept (Pango starts a
// new line at each), always valid UTF-8.
std::string printable(const std::string& text) {
  return worksheets::encode_utf8(worksheets::tidy(text));
}

int to_pango(double points) { return static_cast<int>(points * PANGO_SCALE); }
double from_pango(int units) { return static_cast<double>(units) / PANGO_SCALE; }

// How a paragraph looks: its font, a bold lead ("Label: ") of some bytes,
// whether it is the grey italic "(empty)".
struct style {
  const char* font = body_font;
  double before = 0;  // space above, unless it starts a page
  double indent = 0;
  std::size_t bold_bytes = 0;
  bool muted = false;
};

class page_writer {
 public:
  page_writer(const std::string& title, const std::string& created)
      : surface_(cairo_pdf_surface_create_for_stream(append, &out_, page_width, page_height)),
        cr_(cairo_create(surface_.get())),
        layout_(pango_cairo_create_layout(cr_.get())),
        footer_(pango_cairo_create_layout(cr_.get())),
        footer_title_(printable(title)) {
    // Points as Pango's unit: font sizes are in points, as on paper.
    pango_cairo_context_set_resolution(pango_layout_get_context(layout_.get()), 72);
    pango_cairo_context_set_resolution(pango_layout_get_context(footer_.get()), 72);
    pango_layout_set_wrap(layout_.get(), PANGO_WRAP_WORD_CHAR);
    std::unique_ptr<PangoFontDescription, font_free> font(
        pango_font_description_from_string(footer_font));
    pango_layout_set_font_description(footer_.get(), font.get());
    pango_layout_set_width(footer_.get(), to_pango(text_width));
    // Only what the export already shows (the template's title), and the
    // generation time instead of the clock's, so that the file is reproducible.
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_TITLE, footer_title_.c_str());
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATE_DATE, created.c_str());
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_MOD_DATE, created.c_str());
  }

  void paragraph(const std::string& text, const style& s) {
    std::unique_ptr<PangoFontDescription, font_free> font(
        pango_font_description_from_string(s.font));
    pango_layout_set_font_description(layout_.get(), font.get());
    pango_layout_set_width(layout_.get(), to_pango(text_width - s.indent));
    pango_layout_set_text(layout_.get(), text.data(), static_cast<int>(text.size()));
    std::unique_ptr<PangoAttrList, attrs_free> attrs(pango_attr_list_new());
    if (s.bold_bytes > 0) {
      PangoAttribute* bold = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
      bold->start_index = 0;
      bold->end_index = static_cast<guint>(s.bold_bytes);
      pango_attr_list_insert(attrs.get(), bold);
    }
    if (s.muted) {
      pango_attr_list_insert(attrs.get(), pango_attr_style_new(PANGO_STYLE_ITALIC));
      pango_attr_list_insert(attrs.get(), pango_attr_foreground_new(0x7000, 0x7000, 0x7000));
    }
    pango_layout_set_attributes(layout_.get(), attrs.get());
    if (y_ > margin) {
      y_ += s.before;
    }
    std::unique_ptr<PangoLayoutIter, iter_free> line(pango_layout_get_iter(layout_.get()));
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(line.get(), nullptr, &logical);
      const double height = from_pango(logical.height);
      if (y_ + height > bottom - footer_gap) {
        next_page();
      }
      const double baseline = from_pango(pango_layout_iter_get_baseline(line.get()) - logical.y);
      cairo_set_source_rgb(cr_.get(), 0.1, 0.1, 0.1);
      cairo_move_to(cr_.get(), margin + s.indent + from_pango(logical.x), y_ + baseline);
      pango_cairo_show_layout_line(cr_.get(), pango_layout_iter_get_line_readonly(line.get()));
      y_ += height;
    } while (pango_layout_iter_next_line(line.get()) != 0);
  }

  // A heading with a rule under it.
  void heading(const std::string& text) {
    paragraph(printable(text), {heading_font, 16, 0, 0, false});
    cairo_set_source_rgb(cr_.get(), 0.8, 0.8, 0.8);
    cairo_set_line_width(cr_.get(), 0.6);
    cairo_move_to(cr_.get(), margin, y_ + 2);
    cairo_line_to(cr_.get(), page_width - margin, y_ + 2);
    cairo_stroke(cr_.get());
    y_ += 6;
  }

  std::optional<std::string> finish() {
    footer();
    cairo_show_page(cr_.get());
    layout_.reset();
    footer_.reset();
    cr_.reset();
    cairo_surface_finish(surface_.get());
    if (cairo_surface_status(surface_.get()) != CAIRO_STATUS_SUCCESS) {
      return std::nullopt;
    }
    surface_.reset();
    return std::move(out_);
  }

 private:
  void next_page() {
    footer();
    cairo_show_page(cr_.get());
    ++page_;
    y_ = margin;
  }

  // Its own layout: a page may end while the body's lines are being walked.
  void footer() {
    const std::string text = footer_title_ + " \u00b7 page " + std::to_string(page_);
    pango_layout_set_text(footer_.get(), text.data(), static_cast<int>(text.size()));
    cairo_set_source_rgb(cr_.get(), 0.45, 0.45, 0.45);
    cairo_move_to(cr_.get(), margin, bottom - 10);
    pango_cairo_show_layout(cr_.get(), footer_.get());
  }

  std::string out_;
  std::unique_ptr<cairo_surface_t, surface_free> surface_;
  std::unique_ptr<cairo_t, context_free> cr_;
  std::unique_ptr<PangoLayout, object_free> layout_;
  std::unique_ptr<PangoLayout, object_free> footer_;
  std::string footer_title_;
  double y_ = margin;
  int page_ = 1;
};

// "Label: value" with the label bold, or the label and a grey "(empty)".
void labelled(page_writer& w, const worksheets::shown& line, double indent) {
  const std::string lead = printable(line.label) + ": ";
  if (line.value) {
    w.paragraph(lead + printable(*line.value), {body_font, 3, indent, lead.size(), false});
  } else {
    w.paragraph(lead + "(empty)", {body_font, 3, indent, lead.size(), false});
  }
}

void value(page_writer& w, const std::optional<std::string>& v, double before, double indent) {
  if (v) {
    w.paragraph(printable(*v), {body_font, before, indent, 0, false});
  } else {
    w.paragraph("(empty)", {body_font, before, indent, 0, true});
  }
}

}  // namespace

std::optional<std::string> render_worksheet(const v1::WorksheetTemplate& t,
                                            const worksheets::document& d,
                                            const worksheets::export_meta& m) {
  page_writer w(t.title(), worksheets::utc_timestamp(m.generated_at_ms));
  w.paragraph(printable(t.title()), {title_font, 0, 0, 0, false});
  if (!t.purpose().empty()) {
    w.paragraph(printable(t.purpose()), {body_font, 8, 0, 0, false});
  }
  for (const auto& line : worksheets::about(t, m)) {
    labelled(w, line, 0);
  }
  for (const auto& b : worksheets::outline(t, d)) {
    w.heading(b.label);
    if (!b.is_list) {
      value(w, b.value, 2, 0);
      continue;
    }
    if (b.items.empty()) {
      value(w, std::nullopt, 2, 0);
      continue;
    }
    std::size_t n = 0;
    for (const auto& record : b.items) {
      const std::string number = std::to_string(++n) + ".";
      if (b.plain_items) {
        const auto& only = record.front().value;
        w.paragraph(number + " " + (only ? printable(*only) : "(empty)"),
                    {body_font, 4, 0, number.size(), !only});
        continue;
      }
      w.paragraph(number, {body_font, 6, 0, number.size(), false});
      for (const auto& part : record) {
        labelled(w, part, item_indent);
      }
    }
  }
  return w.finish();
}

}  // namespace hearth::pdf
