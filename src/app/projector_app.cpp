#include "app/projector_app.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <GLES3/gl3.h>
#else
#include <SDL_opengl.h>
#endif

#include <SDL.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/crossfade.h"
#include "backends/imgui_impl_opengl3.h"
#include "backends/imgui_impl_sdl2.h"
#include "imgui_internal.h"  // the input event queue: did a person do something
#include "core/projection.h"
#include "platform/widget_locator.h"
#include "ui/projector_view.h"
#include "ui/strings.h"

namespace dh::app {

namespace {

using projection::Slide;

// ---- The page's side (BroadcastChannel, URL, loop timing) --------------------

#ifdef __EMSCRIPTEN__
// Projector tab: listen on the channel; the newest slide and when it came.
EM_JS(void, dhp_listen, (), {
  if (Module.dhProjector) return;
  var st = Module.dhProjector = {seq : 0, content : null, last : 0};
  try {
    var ch = new BroadcastChannel('dianhong-projector');
    ch.onmessage = function(e) {
      var m = e.data || {};
      if (m.t !== 'slide') return;
      st.last = Date.now();
      var c = typeof m.content === 'string' ? m.content : '';
      // Only a new slide wakes the loop (the heartbeat repeats the same one:
      // the 50 ms timer reads its age for the lost-contact screen).
      if (c !== st.content) {
        st.content = c;
        st.seq++;
        if (Module._dh_projector_wake) Module._dh_projector_wake();
      }
    };
    ch.postMessage({t : 'hello'});
    st.channel = ch;
  } catch (err) {
    console.warn('dianhong: no BroadcastChannel', err);
  }
  // Full screen on a double click or the F key (a browser needs a gesture);
  // the pointer is hidden over the slide.
  var canvas = Module.canvas;
  var full = function() {
    var el = document.documentElement;
    if (!document.fullscreenElement && el.requestFullscreen) el.requestFullscreen().catch(function() {});
  };
  if (canvas) {
    canvas.style.cursor = 'none';
    canvas.addEventListener('dblclick', full);
  }
  window.addEventListener('keydown', function(e) { if (e.key === 'f' || e.key === 'F') full(); });
  window.addEventListener('resize', function() { if (Module._dh_projector_wake) Module._dh_projector_wake(); });
});
EM_JS(int, dhp_seq, (), { return Module.dhProjector ? Module.dhProjector.seq : 0; });
EM_JS(double, dhp_age_ms, (), {
  var st = Module.dhProjector;
  return st && st.last ? Date.now() - st.last : -1;
});
EM_JS(char*, dhp_content, (), {
  var s = (Module.dhProjector && Module.dhProjector.content) || '';
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});
// Chair's tab: post the projected slide now, to a projector tab that says
// hello, and every second (the heartbeat the projector's lost-contact reads).
EM_JS(void, dhc_post, (const char* content), {
  if (!Module.dhChair) {
    var s = Module.dhChair = {content : ''};
    try {
      s.ch = new BroadcastChannel('dianhong-projector');
      s.ch.onmessage = function(e) {
        if (e.data && e.data.t === 'hello') s.ch.postMessage({t : 'slide', content : s.content});
      };
      setInterval(function() { s.ch.postMessage({t : 'slide', content : s.content}); }, 1000);
    } catch (err) {
      console.warn('dianhong: no BroadcastChannel', err);
    }
  }
  Module.dhChair.content = UTF8ToString(content);
  if (Module.dhChair.ch) Module.dhChair.ch.postMessage({t : 'slide', content : Module.dhChair.content});
});
EM_JS(int, dhp_url_is_projector, (), {
  try {
    return new URLSearchParams(location.search).get('view') === 'projector' ? 1 : 0;
  } catch (e) {
    return 0;
  }
});
EM_JS(char*, dhp_url_meeting, (), {
  var m = '';
  try { m = new URLSearchParams(location.search).get('meeting') || ''; } catch (e) {}
  var n = lengthBytesUTF8(m) + 1;
  var p = _malloc(n);
  stringToUTF8(m, p, n);
  return p;
});
#endif

double monotonic_now() {
#ifdef __EMSCRIPTEN__
  return emscripten_get_now();
#else
  return static_cast<double>(SDL_GetTicks());
#endif
}

}  // namespace

struct ProjectorRuntime {
  std::string meeting;  // ?meeting=; "" = whatever the chair projects last
  ui::BarAnimator animator;
  Crossfade fade;
  bool from_channel = false;  // no writer lock: the chair's tab feeds this one
  // What is on screen.
  std::string shown_key, shown_content;
  int64_t shown_at_ms = 0;          // wall clock of the first frame of the current key
  int64_t content_at_ms = 0;        // ... and of the current content
  int64_t fade_start_ms = -1;
  int64_t redraw_at_ms = 0;  // a timer or an animation wants a frame then (0: none)
  int pending_frames = 2;
  bool ever_in_contact = false;
  int64_t started_ms = 0;
  // Channel
  int channel_seq = -1;
  std::string channel_content;
  // Loop timing and figures (window.dianhong.projector()).
  bool fast_loop = true;
  uint64_t ticks = 0, fast_ticks = 0, frames = 0, fade_frames = 0;
  std::deque<double> frame_ms;  // the last 600 frames' CPU time, ms
  // Why frames were drawn (a still slide must draw none): counts per reason.
  std::map<std::string, uint64_t> frame_reasons;
  bool fonts_drawn_full = false;  // the last frame was drawn with the full font
  float drawn_w = 0, drawn_h = 0;  // the display size of the last frame
  std::string screen = "waiting", title;
  std::string slide_type;
  int64_t last_contact_ms = 0;
  // Chair side
  uint64_t chair_version = UINT64_MAX;
  std::string chair_posted = "\x01";
};

static ProjectorRuntime* g_projector = nullptr;

namespace {

void set_fast_loop(ProjectorRuntime& p, bool fast) {
  if (p.fast_loop == fast) return;
  p.fast_loop = fast;
#ifdef __EMSCRIPTEN__
  if (fast) emscripten_set_main_loop_timing(EM_TIMING_RAF, 1);
  else emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, static_cast<int>(kIdleTickMs));
#endif
}

}  // namespace

bool projector_mode_requested(int argc, char** argv) {
#ifdef __EMSCRIPTEN__
  (void)argc;
  (void)argv;
  return dhp_url_is_projector() != 0;
#else
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--projector") == 0) return true;
  return false;
#endif
}

void projector_start(App& app, const char* glsl_version) {
  auto* p = new ProjectorRuntime();
  g_projector = p;
  app.projector = true;
#ifdef __EMSCRIPTEN__
  char* m = dhp_url_meeting();
  p->meeting = m;
  std::free(m);
  dhp_listen();
#endif
  p->fade.init(glsl_version);
  p->started_ms = app.host->now_ms();
}

void projector_tick(App& app, int64_t now) {
  ProjectorRuntime& p = *g_projector;
  ++p.ticks;
  if (p.fast_loop) ++p.fast_ticks;
  const bool ui_font_ready = app.ui_font != nullptr || app.host->font_failed(platform::FontKind::ui);
  if (app.phase != Phase::ready || !ui_font_ready) return;

  // Where the slide comes from, and whether the source is still in touch.
  const bool writer = app.host->writer_lock() == platform::LockState::granted && app.session &&
                      app.session->replica() != nullptr;
  p.from_channel = !writer;
  std::optional<Slide> slide;
  bool contact = true;
  if (writer) {
    session::SyncDriver* sync = app.session->sync();
    if (sync) {
      sync->set_push_channel(true);
      contact = sync->in_contact(now);
      p.last_contact_ms = sync->last_contact_ms();
    }
    if (auto cur = projection::current_projection(app.session->state(), p.meeting)) {
      if (cur->type != projection::SlideType::blank || !cur->slide.meeting_id.empty()) slide = cur->slide;
    }
  } else {
#ifdef __EMSCRIPTEN__
    const int seq = dhp_seq();
    if (seq != p.channel_seq) {
      p.channel_seq = seq;
      char* c = dhp_content();
      p.channel_content = c;
      std::free(c);
    }
    const double age = dhp_age_ms();
    contact = age >= 0 && age < kChannelLostMs;
    if (age >= 0) p.last_contact_ms = now - static_cast<int64_t>(age);
#endif
    if (!p.channel_content.empty()) {
      Json j = Json::parse(p.channel_content, nullptr, false);
      if (auto s = projection::slide_from_json(j)) {
        if (p.meeting.empty() || s->meeting_id == p.meeting) slide = std::move(s.value());
      }
    }
  }
  if (contact) p.ever_in_contact = true;
  // Lost: contact went away, or never came within the first seconds.
  const bool lost = !contact && (p.ever_in_contact || now - p.started_ms > 8000);

  std::string key, content;
  if (lost) {
    key = "lost";
  } else if (slide) {
    key = std::string("slide/") + slide->meeting_id + "/" + projection::slide_type_code(slide->type) + "/" + slide->ref;
    content = projection::to_json(*slide).dump();
  } else {
    key = "waiting";
  }

  // What may change the picture: a person's input (a key, the pointer: the
  // input events ImGui queued; not the loop's "something happened", which
  // also means a flush or an HTTP round finished and changes nothing on a
  // slide), a new size, the full font arriving, a new slide or content, a
  // timer, a fade.
  const bool person = GImGui && GImGui->InputEventsQueue.Size > 0;
  int win_w = 0, win_h = 0;
  SDL_GetWindowSize(app.window, &win_w, &win_h);
  const bool resized = static_cast<float>(win_w) != p.drawn_w || static_cast<float>(win_h) != p.drawn_h;
  const bool font_came = app.full_font_loaded != p.fonts_drawn_full;
  const bool fading = p.fade_start_ms >= 0 && now - p.fade_start_ms < kFadeMs;
  const char* reason = p.pending_frames > 0                               ? "pending"
                       : key != p.shown_key                               ? "slide"
                       : content != p.shown_content                       ? "content"
                       : fading                                           ? "fade"
                       : p.redraw_at_ms > 0 && now >= p.redraw_at_ms      ? "timer"
                       : person                                           ? "input"
                       : resized                                          ? "resize"
                       : font_came                                        ? "font"
                                                                          : nullptr;
  const bool render = reason != nullptr;
  if (!render) {
    set_fast_loop(p, false);
    return;
  }
  set_fast_loop(p, true);
  if (p.pending_frames > 0) --p.pending_frames;
  ++p.frame_reasons[reason];
  p.drawn_w = static_cast<float>(win_w);
  p.drawn_h = static_cast<float>(win_h);
  p.fonts_drawn_full = app.full_font_loaded;

  // A new slide (or screen) cross-fades in from the last frame of the old one.
  if (key != p.shown_key) {
    if (!p.shown_key.empty() && p.fade.ready()) {
      p.fade.swap();
      p.fade_start_ms = now;
    }
    p.shown_key = key;
    p.shown_at_ms = now;
  }
  if (content != p.shown_content) p.content_at_ms = now;
  p.shown_content = content;

  const double t0 = monotonic_now();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  ImGui::NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->Pos);
  ImGui::SetNextWindowSize(vp->Size);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  int64_t redraw_in = -1;
  const int64_t clock = app.session && app.session->sync() ? app.session->sync()->corrected_now(now) : now;  // server-corrected, for the timer
  if (ImGui::Begin("##projector", nullptr,
                   ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                       ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoScrollWithMouse)) {
    const ImVec2 origin = vp->Pos, size = vp->Size;
    if (lost) {
      ui::draw_lost_contact_screen(origin, size, p.last_contact_ms);
      p.screen = "lost";
    } else if (slide) {
      ui::SlideDrawOptions o;
      o.id_prefix = "proj-";
      o.animator = &p.animator;
      o.now_ms = clock;
      redraw_in = ui::draw_slide(*slide, origin, size, o);
      p.screen = "slide";
    } else {
      ui::draw_waiting_screen(origin, size, "");
      p.screen = "waiting";
    }
  }
  ImGui::End();
  ImGui::PopStyleVar(2);
  ImGui::Render();
  p.title = slide ? slide->title : "";
  p.slide_type = slide ? projection::slide_type_code(slide->type) : "";
  p.redraw_at_ms = redraw_in >= 0 ? now + std::max<int64_t>(redraw_in, 1) : 0;

  const int fb_w = static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x);
  const int fb_h = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
  if (p.fade.ready()) {
    p.fade.begin_frame(fb_w, fb_h);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    const bool in_fade = p.fade_start_ms >= 0 && now - p.fade_start_ms < kFadeMs;
    const float t = in_fade ? static_cast<float>(now - p.fade_start_ms) / static_cast<float>(kFadeMs) : 1.0f;
    p.fade.present(t);
    if (in_fade) ++p.fade_frames;
    else p.fade_start_ms = -1;
  } else {
    glViewport(0, 0, fb_w, fb_h);
    glClearColor(0.055f, 0.086f, 0.129f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  }
  SDL_GL_SwapWindow(app.window);
  platform::widget_locator_end_frame();
  ++app.frames_rendered;
  ++p.frames;
  app.host->publish_frame_count(app.frames_rendered);
  p.frame_ms.push_back(monotonic_now() - t0);
  if (p.frame_ms.size() > 600) p.frame_ms.pop_front();
  // One more frame after a fade ends, so the last one is the slide alone.
  if (p.fade_start_ms >= 0) p.pending_frames = std::max(p.pending_frames, 1);

  if (!app.first_interactive_reported) {
    app.first_interactive_reported = true;
#ifdef __EMSCRIPTEN__
    EM_ASM({ if (typeof dhGlue !== 'undefined') dhGlue.interactive(); });
#endif
  }
  if (!app.full_font_requested) {
    app.full_font_requested = true;
    app.host->request_font(platform::FontKind::full);
  }
}

void chair_projector_tick(App& app, int64_t now) {
  if (app.projector || !app.session || !app.session->replica()) return;
  if (app.host->writer_lock() != platform::LockState::granted) return;
  if (!g_projector) g_projector = new ProjectorRuntime();
  ProjectorRuntime& p = *g_projector;
  // Ballots and publishes from other devices arrive through the push channel
  // at once (the live count follows them): main.cpp keeps it on while the
  // page is visible.
  const State& state = app.session->state();
  if (state.applied_ops() == p.chair_version) return;
  p.chair_version = state.applied_ops();
  // Keep this device's projected slide up to date (counts, queue, publish).
  if (auto f = projection::follow_up(state, "", app.session->replica()->device_id())) {
    app.session->commit({EditEntity{"projection", f->projection_id, f->fields}}, now, [](size_t, const Error*) {});
  }
  auto cur = projection::current_projection(app.session->state(), "");
  const std::string content = cur ? projection::to_json(cur->slide).dump() : std::string();
  if (content == p.chair_posted) return;
  p.chair_posted = content;
#ifdef __EMSCRIPTEN__
  dhc_post(content.c_str());
#endif
}

}  // namespace dh::app

using dh::app::g_projector;

extern "C" {

#ifdef __EMSCRIPTEN__
#define DH_PROJ_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define DH_PROJ_EXPORT
#endif

// A new slide on the channel or a resize: tick on animation frames again at
// once. The tick itself decides whether to draw (what it shows changed, a new
// size): a wake alone draws nothing.
DH_PROJ_EXPORT void dh_projector_wake() {
  if (!g_projector) return;
  dh::app::set_fast_loop(*g_projector, true);
}

// window.dianhong.projector(): what the projector shows and its figures.
DH_PROJ_EXPORT const char* dh_projector_json() {
  static std::string s;
  if (!g_projector || !dh::app::g_app || !dh::app::g_app->projector) return "null";
  const auto& p = *g_projector;
  nlohmann::json ms = nlohmann::json::array();
  for (double v : p.frame_ms) ms.push_back(v);
  s = nlohmann::json{{"source", p.from_channel ? "channel" : "server"},
                     {"screen", p.screen},
                     {"key", p.shown_key},
                     {"type", p.slide_type},
                     {"title", p.title},
                     {"content", p.shown_content},
                     {"shown_at", p.shown_at_ms},
                     {"content_at", p.content_at_ms},
                     {"fading", p.fade_start_ms >= 0},
                     {"crossfade", p.fade.ready()},
                     {"frames", p.frames},
                     {"fade_frames", p.fade_frames},
                     {"ticks", p.ticks},
                     {"fast_ticks", p.fast_ticks},
                     {"fast_loop", p.fast_loop},
                     {"frame_reasons", p.frame_reasons},
                     {"frame_ms", ms}}
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s.c_str();
}
}
