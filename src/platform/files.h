// Handing finished files to the person: a download (or a file in the data
// folder on the desktop) and a page to print. The core makes the bytes
// (core/exchange.h: CSV with BOM, .ics, printable HTML); the UI asks for them
// through UiOutput::files; only the app calls these (the UI never touches
// the platform).
//
// Contract
// - Web (files_web.cpp): save_file makes a Blob of the bytes with the MIME
//   type and clicks a hidden download anchor with the file name; the browser
//   saves it (its Downloads folder, or asks). print_html opens the page from
//   a Blob URL in a new window and calls print() once it has loaded; when a
//   pop-up blocker refuses the window, it prints from a hidden frame instead.
//   FileResult::path is the file name; nothing is written to the store.
// - Native (files_native.cpp): both write the bytes unchanged into the files
//   folder (set_files_folder; created when missing; default "./data/exports")
//   and return the full path; a file of the same name is replaced (written
//   to NAME.tmp, then renamed). The name is first made safe (safe_file_name):
//   its last path component only, control characters and : * ? " < > |
//   replaced by "_", so it can never leave the folder.
// - Single-threaded, like the Host. Errors are plain words in FileResult::error.
#pragma once

#include <string>

namespace dh::platform {

struct FileResult {
  bool ok = false;
  std::string path;   // native: where it was written; web: the name offered
  std::string error;  // plain words when !ok
};

// Native only (the web ignores it): the folder files are written to.
void set_files_folder(const std::string& folder);

// name: "名单-2026-12-01.csv"; mime: "text/csv;charset=utf-8".
FileResult save_file(const std::string& name, const std::string& mime, const std::string& bytes);

// A self-contained HTML page (UTF-8) to print. name: the file name natively.
FileResult print_html(const std::string& html, const std::string& name = "print.html");

// The name as it will be written natively (see the contract); "file" when
// nothing is left.
std::string safe_file_name(const std::string& name);

}  // namespace dh::platform
