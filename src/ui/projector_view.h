// The projector's drawing: one slide (core/projection.h) drawn at a fixed
// logical size of 1920x1080 and scaled into any rectangle, so the chair's
// preview and the projector are the same drawing at two sizes. High
// contrast (light text on a dark ground), titles 84 logical px (84 px at
// 1080p: a Chinese glyph about 70 px tall), result bars that ease to their
// values.
//
// Test ids (widget hook, docs/web-app.md), each prefixed by the caller's
// prefix ("proj-" on the projector, "prev-" in the chair's preview):
//   <p>title, <p>meeting, <p>subtitle, <p>line-<i>, <p>received, <p>present,
//   <p>ballot-kind, <p>bar-<i> (text "label count"), <p>note-<i>,
//   <p>cast-valid, <p>not-published, <p>speaker, <p>timer, <p>no-speakers;
//   proj-waiting, proj-lost.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/projection.h"
#include "imgui.h"

namespace dh::ui {

// Bars easing from what they showed to their new values (ease-out over
// kDurationMs). Keyed by the slide (meeting, type, ref) and the bar, so a new
// ballot moves the bar from where it stood, and a new slide starts from 0.
class BarAnimator {
 public:
  static constexpr int64_t kDurationMs = 800;
  // The value to draw now for bar `key` whose target is `target`.
  double value(const std::string& key, double target, int64_t now_ms);
  // Some bar is still moving: draw again.
  bool animating(int64_t now_ms) const;
  void clear() { bars_.clear(); }

 private:
  struct Bar {
    double from = 0, to = 0;
    int64_t start_ms = 0;
  };
  std::map<std::string, Bar> bars_;
};

struct SlideDrawOptions {
  const char* id_prefix = "proj-";
  BarAnimator* animator = nullptr;  // nullptr: bars at their values (preview)
  int64_t now_ms = 0;               // wall clock (server-corrected) for the speakers' timer
};

// Draws the slide into [origin, origin + size) of the current window (the
// logical 16:9 canvas is letterboxed and centred). Returns the time (ms)
// after which it must be drawn again (the speakers' timer, a bar moving),
// or -1 when it is still.
int64_t draw_slide(const projection::Slide& slide, ImVec2 origin, ImVec2 size, const SlideDrawOptions& options);

// The screens without a slide: waiting for the chair's first projection, and
// lost contact (never the last figures: results or counts that may be stale).
void draw_waiting_screen(ImVec2 origin, ImVec2 size, const std::string& meeting_title);
void draw_lost_contact_screen(ImVec2 origin, ImVec2 size, int64_t last_contact_ms);

// The same logical size, for tests: the px height of a title at this size.
float title_px(ImVec2 size);

}  // namespace dh::ui
