// Typed access to a .pt2 archive's JSON (internal to parser/): each failure
// names where in the document it happened. pt2_schema.cpp decodes the
// serialized ExportedProgram (torch/_export/serde/schema.py) with it;
// load_pt2.cpp reads the archive and its weight and constant configs.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "parser/exported_program.h"

namespace ptscope::pt2 {

using nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what);
const json& field(const json& obj, const char* key, const std::string& where);
const json* opt_field(const json& obj, const char* key);
int64_t get_int(const json& v, const std::string& where);
double get_float(const json& v, const std::string& where);
std::string get_string(const json& v, const std::string& where);
bool get_bool(const json& v, const std::string& where);
const json& get_array(const json& v, const std::string& where);
// A schema union is an object with exactly one set field.
std::pair<std::string, const json*> union_field(const json& v, const std::string& where);

ExportSymInt parse_sym_int(const json& v, const std::string& where);
ExportTensorMeta parse_tensor_meta(const json& v, const std::string& where);
// The program of models/<name>.json (`where` names it in errors); fields a
// newer schema adds are ignored with a warning on the version.
void parse_program(const json& j, const std::string& where, ExportedProgram& p, std::vector<std::string>& warnings);

}  // namespace ptscope::pt2
