// The torch.export part of `ptscope info`: program signature (user inputs and
// outputs with their shapes, symbolic dims, which placeholders are
// parameters, buffers and constants), symbolic dims with their declared
// ranges, opsets, schema version, and for AOTInductor packages the compiled
// artifacts (listed, never loaded).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "parser/exported_program.h"

namespace ptscope {

nlohmann::json exported_program_json(const ExportedProgram& p);
std::string exported_program_text(const ExportedProgram& p);

}  // namespace ptscope
