// Render-to-texture cross-fade for the projector (docs/projector.md): each
// frame of the projector is drawn into one of two textures (a WebGL2
// framebuffer each); the screen shows the blend of the outgoing slide's
// texture (the last frame drawn of it) and the incoming one's, mixed by the
// shader in shaders/crossfade.{vert,frag} (embedded by cmake/DhShaders.cmake).
// Between fades the screen shows the current texture alone, so a slide that
// changes is never preceded by a blank frame.
//
// Contract: init() once with a current GL context; begin_frame() binds the
// current target (resized to the framebuffer when needed) and clears it;
// draw into it; present(t) draws to the default framebuffer. swap() makes the
// other texture current at the start of a fade: the old one then holds the
// outgoing slide. Desktop builds (no WebGL) report !ready() and the app draws
// straight to the screen.
#pragma once

namespace dh::app {

class Crossfade {
 public:
  bool init(const char* glsl_version);
  bool ready() const { return ready_; }
  void begin_frame(int width, int height);
  void swap() { current_ ^= 1; has_previous_ = true; }
  // t in [0, 1]: 0 = the outgoing slide, 1 = the incoming one.
  void present(float t);
  ~Crossfade();

 private:
  void resize(int width, int height);
  bool ready_ = false;
  bool has_previous_ = false;
  int current_ = 0;
  int width_ = 0, height_ = 0;
  unsigned program_ = 0, vao_ = 0;
  unsigned fbo_[2] = {0, 0}, tex_[2] = {0, 0};
  int u_from_ = -1, u_to_ = -1, u_mix_ = -1;
};

}  // namespace dh::app
