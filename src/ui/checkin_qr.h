// Internal to src/ui: the coordinator's full-screen check-in QR view for a
// shift (issue 4, docs/qr-checkin.md), opened from the scheduling screen with
// "show check-in QR" and meant for the station's screen or tablet.
//
// Contract
// - The view reads the shift from the State every frame. When the shift has
//   no "checkin_key" yet, it emits ONE shift.edit setting a fresh random key
//   (new_checkin_key) the first time it is drawn for that shift, and shows
//   "preparing" until the key is in the State; "new code" emits another key
//   (a forwarded photo of the old code then stops working).
// - The QR code holds checkin_url(origin, shift id, key) (core/checkin.h),
//   encoded by nayuki's qrcodegen (ECC level M) and drawn as ImGui rectangles
//   with a 4-module quiet zone, as large as the window allows.
// - origin is the server the app syncs with ("http://host:port"); without one
//   the view says so and draws no code.
//
// Widget ids: qr-close, qr-new-key; texts qr-title, qr-where, qr-when,
// qr-how, qr-how-en, qr-window, qr-url, qr-not-synced, qr-preparing, qr-no-origin, qr-error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ui/screens.h"

namespace dh::ui {

// The modules of a QR code: size x size, row-major, true = dark.
struct QrMatrix {
  int size = 0;
  std::vector<bool> dark;
  bool at(int x, int y) const { return dark[static_cast<size_t>(y) * static_cast<size_t>(size) + static_cast<size_t>(x)]; }
};

// qrcodegen::QrCode::encodeText(text, Ecc::MEDIUM) as a matrix; size 0 when
// the text does not fit a QR code.
QrMatrix encode_qr(const std::string& text);

// Draws m at the cursor as dark ImGui rectangles on white with a 4-module
// quiet zone, at most `side` pixels square, centred in `width`; advances the
// cursor below it. Returns the dark modules drawn (tests read it).
int draw_qr_matrix(const QrMatrix& m, float side, float width);

// 24 random characters of a-z0-9 (std::random_device: the browser's
// crypto.getRandomValues under Emscripten).
std::string new_checkin_key();

struct CheckinQrView {
  std::string shift;               // shown while non-empty
  std::string key_requested_for;   // shift whose key this view already asked for
  std::string error;               // commit error of the key edit, translated
  // Cache of what is drawn (rebuilt when the URL changes).
  std::string url;
  QrMatrix matrix;
  int drawn_dark_modules = 0;      // rectangles drawn in the last frame (tests)

  void open(const std::string& shift_id) {
    shift = shift_id;
    key_requested_for.clear();  // reopening may ask again after a failed commit
    error.clear();
  }
  void close() { shift.clear(); }
};

// Draws the full-screen view (a window over the whole viewport) when
// view.shift is set. origin: e.g. AppStatus::sync.server.
void draw_checkin_qr(CheckinQrView& view, Frame& frame, const std::string& origin);
// Commit result of the key edit this view emitted.
void checkin_qr_commit_result(CheckinQrView& view, const std::string& error);

}  // namespace dh::ui
