// The GL state the app's frames read back, answered from memory (browser
// build only; cmake/DhThirdParty.cmake routes these GL calls here for every
// target that uses ImGui).
//
// Why: ImGui's OpenGL backend saves and restores the GL state around each
// frame with glGetIntegerv. In Chromium the viewport, scissor box and blend
// state are not known to the page's side of WebGL, so each such query is a
// synchronous round trip to the GPU process that first waits for everything
// queued before it, the previous frame's drawing included: the main thread
// sat idle for about 0.4 s in the first frames of a new device (SwiftShader),
// instead of decoding the data meanwhile. Every call that sets these values
// in this program goes through the setters below, so the remembered value is
// the context's value; a value never set (the initial viewport and scissor
// box, which depend on the canvas) is asked from GL once.
//
// Contract: dh_gl_get_integerv(p, out) == glGetIntegerv(p, out) for every p,
// as long as no code outside these wrappers changes the cached state (one GL
// context, the app's).
//
// glGetString(GL_VERSION) likewise: WebGL answers it through the GPU process
// (a synchronous round trip behind everything queued: 0.2-0.6 s in a new
// device's start-up, while the GPU process still makes the context and
// draws the page's first frames), yet the app only ever runs on WebGL 2
// (-sMIN_WEBGL_VERSION=2), which is OpenGL ES 3.0. dh_gl_get_string answers
// GL_VERSION with the string Emscripten would build, minus the browser's
// own version text in the parentheses; every other name goes to GL.
#undef glGetIntegerv
#undef glViewport
#undef glScissor
#undef glBlendFunc
#undef glBlendFuncSeparate
#undef glBlendEquation
#undef glBlendEquationSeparate
#undef glGetString

#include <GLES3/gl3.h>

#include <array>

namespace {

struct Cached4 {
  bool known = false;
  std::array<GLint, 4> v{};
};
Cached4 g_viewport, g_scissor;
// GL's initial blend state (OpenGL ES 3.0, 4.1.7): ONE, ZERO, FUNC_ADD.
GLint g_src_rgb = GL_ONE, g_dst_rgb = GL_ZERO, g_src_alpha = GL_ONE, g_dst_alpha = GL_ZERO;
GLint g_eq_rgb = GL_FUNC_ADD, g_eq_alpha = GL_FUNC_ADD;

void answer4(Cached4& c, GLenum pname, GLint* out) {
  if (!c.known) {
    glGetIntegerv(pname, c.v.data());
    c.known = true;
  }
  for (int i = 0; i < 4; ++i) out[i] = c.v[static_cast<size_t>(i)];
}

}  // namespace

extern "C" {

const GLubyte* dh_gl_get_string(GLenum name) {
  if (name == GL_VERSION) return reinterpret_cast<const GLubyte*>("OpenGL ES 3.0 (WebGL 2.0)");
  return glGetString(name);
}

void dh_gl_get_integerv(GLenum pname, GLint* out) {
  switch (pname) {
    case GL_VIEWPORT: return answer4(g_viewport, pname, out);
    case GL_SCISSOR_BOX: return answer4(g_scissor, pname, out);
    case GL_BLEND_SRC_RGB: *out = g_src_rgb; return;
    case GL_BLEND_DST_RGB: *out = g_dst_rgb; return;
    case GL_BLEND_SRC_ALPHA: *out = g_src_alpha; return;
    case GL_BLEND_DST_ALPHA: *out = g_dst_alpha; return;
    case GL_BLEND_EQUATION_RGB: *out = g_eq_rgb; return;
    case GL_BLEND_EQUATION_ALPHA: *out = g_eq_alpha; return;
    default: glGetIntegerv(pname, out);
  }
}

void dh_gl_viewport(GLint x, GLint y, GLsizei w, GLsizei h) {
  glViewport(x, y, w, h);
  g_viewport.v = {x, y, w, h};
  g_viewport.known = true;
}

void dh_gl_scissor(GLint x, GLint y, GLsizei w, GLsizei h) {
  glScissor(x, y, w, h);
  g_scissor.v = {x, y, w, h};
  g_scissor.known = true;
}

void dh_gl_blend_func(GLenum src, GLenum dst) {
  glBlendFunc(src, dst);
  g_src_rgb = g_src_alpha = static_cast<GLint>(src);
  g_dst_rgb = g_dst_alpha = static_cast<GLint>(dst);
}

void dh_gl_blend_func_separate(GLenum src_rgb, GLenum dst_rgb, GLenum src_alpha, GLenum dst_alpha) {
  glBlendFuncSeparate(src_rgb, dst_rgb, src_alpha, dst_alpha);
  g_src_rgb = static_cast<GLint>(src_rgb);
  g_dst_rgb = static_cast<GLint>(dst_rgb);
  g_src_alpha = static_cast<GLint>(src_alpha);
  g_dst_alpha = static_cast<GLint>(dst_alpha);
}

void dh_gl_blend_equation(GLenum mode) {
  glBlendEquation(mode);
  g_eq_rgb = g_eq_alpha = static_cast<GLint>(mode);
}

void dh_gl_blend_equation_separate(GLenum mode_rgb, GLenum mode_alpha) {
  glBlendEquationSeparate(mode_rgb, mode_alpha);
  g_eq_rgb = static_cast<GLint>(mode_rgb);
  g_eq_alpha = static_cast<GLint>(mode_alpha);
}

}  // extern "C"
