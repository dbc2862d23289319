// Plain worksheet values to and from their wire form (hearth.v1). The server
// object and the client speak the wire types at their edges; the transform
// and the document work on plain values with text as code points.
#pragma once

#include <optional>

#include "hearth/v1/worksheet.pb.h"
#include "worksheets/document.hpp"
#include "worksheets/ops.hpp"

namespace hearth::worksheets {

// Nothing when malformed: no target field, no kind, text that is not UTF-8.
// A text edit comes back canonical whatever form it was sent in.
std::optional<op> op_from_wire(const v1::WorksheetOp& w);
v1::WorksheetOp op_to_wire(const op& o);

std::optional<ops> ops_from_wire(const google::protobuf::RepeatedPtrField<v1::WorksheetOp>& w);
void ops_to_wire(const ops& o, google::protobuf::RepeatedPtrField<v1::WorksheetOp>* out);

// The fields of a document (the caller sets the instance's other fields).
void document_to_wire(const document& d, v1::WorksheetDocument* out);
std::optional<document> document_from_wire(const v1::WorksheetDocument& w);

}  // namespace hearth::worksheets
