// The projector page (docs/projector.md): the same app started with
// `?view=projector` (optionally `&meeting=<id>`) draws only the projected
// slide, full screen, and the chair's tab tells it what to show.
//
// Where the slide comes from
// - The tab that holds the writer lock (the projector laptop, its own
//   browser): its own State, synced with the room's server; the sync driver's
//   push channel (GET /api/v1/wait) pulls as soon as the chair's projection
//   reaches the server. Lost contact: the driver's in_contact() is false.
// - A tab without the lock (a second window on the chair's own computer):
//   the chair's tab posts the projected slide on a BroadcastChannel
//   ("dianhong-projector") at once and again every second; no message for
//   kChannelLostMs means lost contact.
//
// Frames: a still slide draws nothing. The loop ticks on a 50 ms timer
// (setTimeout, not requestAnimationFrame) while still and switches to
// requestAnimationFrame only while it draws (a cross-fade, bars moving, the
// speakers' timer once a second); a new slide on the channel wakes it at
// once. A frame is drawn only for a reason (projector().frame_reasons).
#pragma once

#include <cstdint>
#include <string>

namespace dh::app {

struct App;

constexpr int64_t kChannelLostMs = 4000;
constexpr int64_t kFadeMs = 500;
constexpr int64_t kIdleTickMs = 50;

// From the page's URL (web) or --projector (desktop).
bool projector_mode_requested(int argc, char** argv);
void projector_start(App& app, const char* glsl_version);
// One tick of the projector page (instead of the workbench's).
void projector_tick(App& app, int64_t now_ms);
// The chair's side, every tick of the writing tab: keep the projected slide
// up to date (projection::follow_up through the one commit path) and post it
// to projector tabs of this browser.
void chair_projector_tick(App& app, int64_t now_ms);

}  // namespace dh::app
