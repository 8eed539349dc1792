// Reading and writing the CLI's files, shared by its subcommands.
// A path of "-" means standard input (read) or standard output (write; an
// empty path too). Messages name the subcommand and the file, in English
// (the CLI's language, docs/cli.md).
#pragma once

#include <optional>
#include <string>

#include "core/operation.h"  // dh::Json

namespace dh::cli {

// The whole file (or standard input) into *text; false if it cannot be opened.
bool read_input(const std::string& path, std::string* text);

// Writes text whole; false if the file cannot be written.
bool write_output(const std::string& path, const std::string& text);

// Reads and parses a JSON input for `dianhong <command>`. On failure prints
// "dianhong <command>: cannot read PATH." (exit code 2) or "... is not valid
// JSON." (exit code 1) and returns nullopt with *exit_code set.
std::optional<Json> read_json_input(const std::string& command, const std::string& path, int* exit_code);

}  // namespace dh::cli
