// platform/files.h in the browser: a Blob and a download anchor; a print
// window (or, when pop-ups are blocked, a hidden frame) from a Blob URL.
// Called from the frame loop within a moment of the click that asked for it,
// so the page still has the person's "user activation" that browsers require
// for downloads and new windows.
#include <emscripten.h>

#include "platform/files.h"

namespace dh::platform {

namespace {

EM_JS(int, dh_js_save_file, (const char* name_c, const char* mime_c, const unsigned char* data, int size), {
  try {
    const name = UTF8ToString(name_c);
    const mime = UTF8ToString(mime_c);
    const bytes = HEAPU8.slice(data, data + size);  // a copy: the heap may move
    const url = URL.createObjectURL(new Blob([bytes], {type : mime}));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.rel = 'noopener';
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function() { URL.revokeObjectURL(url); }, 60000);
    return 1;
  } catch (e) {
    console.error('save_file', e);
    return 0;
  }
});

EM_JS(int, dh_js_print_html, (const unsigned char* data, int size), {
  try {
    const bytes = HEAPU8.slice(data, data + size);
    const url = URL.createObjectURL(new Blob([bytes], {type : 'text/html;charset=utf-8'}));
    const revoke = function() { setTimeout(function() { URL.revokeObjectURL(url); }, 60000); };
    const w = window.open(url, '_blank');
    if (w) {
      const go = function() {
        try { w.focus(); w.print(); } catch (e) { console.error('print_html', e); }
      };
      if (w.document && w.document.readyState === 'complete' && w.location.href === url) go();
      else w.addEventListener('load', go, {once : true});
      revoke();
      return 1;
    }
    // Pop-up blocked: print from a hidden frame on this page.
    const frame = document.createElement('iframe');
    frame.style.position = 'fixed';
    frame.style.width = '0';
    frame.style.height = '0';
    frame.style.border = '0';
    frame.setAttribute('aria-hidden', 'true');
    frame.onload = function() {
      try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { console.error('print_html', e); }
      setTimeout(function() { frame.remove(); URL.revokeObjectURL(url); }, 60000);
    };
    frame.src = url;
    document.body.appendChild(frame);
    return 2;
  } catch (e) {
    console.error('print_html', e);
    return 0;
  }
});

}  // namespace

void set_files_folder(const std::string&) {}

FileResult save_file(const std::string& name, const std::string& mime, const std::string& bytes) {
  FileResult r;
  const std::string safe = safe_file_name(name);
  if (dh_js_save_file(safe.c_str(), mime.c_str(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size())) == 1) {
    r.ok = true;
    r.path = safe;
  } else {
    r.error = "The browser did not accept the download of " + safe + ".";
  }
  return r;
}

FileResult print_html(const std::string& html, const std::string& name) {
  FileResult r;
  if (dh_js_print_html(reinterpret_cast<const unsigned char*>(html.data()), static_cast<int>(html.size())) != 0) {
    r.ok = true;
    r.path = safe_file_name(name);
  } else {
    r.error = "The browser could not open the page to print.";
  }
  return r;
}

}  // namespace dh::platform
