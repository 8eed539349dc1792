#include "app/crossfade.h"

#include <cstdio>
#include <string>

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>

#include "dh_shaders.h"
#endif

namespace dh::app {

#ifdef __EMSCRIPTEN__

namespace {

GLuint compile(GLenum type, const std::string& source) {
  GLuint s = glCreateShader(type);
  const char* src = source.c_str();
  glShaderSource(s, 1, &src, nullptr);
  glCompileShader(s);
  GLint ok = 0;
  glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[1024] = {0};
    glGetShaderInfoLog(s, sizeof log, nullptr, log);
    std::fprintf(stderr, "dianhong: cross-fade shader: %s\n", log);
    glDeleteShader(s);
    return 0;
  }
  return s;
}

}  // namespace

bool Crossfade::init(const char* glsl_version) {
  const std::string head = std::string(glsl_version) + "\n";
  GLuint vs = compile(GL_VERTEX_SHADER, head + shaders::crossfade_vert);
  GLuint fs = compile(GL_FRAGMENT_SHADER, head + shaders::crossfade_frag);
  if (!vs || !fs) return false;
  program_ = glCreateProgram();
  glAttachShader(program_, vs);
  glAttachShader(program_, fs);
  glLinkProgram(program_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(program_, GL_LINK_STATUS, &ok);
  if (!ok) {
    std::fprintf(stderr, "dianhong: cross-fade program did not link\n");
    return false;
  }
  u_from_ = glGetUniformLocation(program_, "u_from");
  u_to_ = glGetUniformLocation(program_, "u_to");
  u_mix_ = glGetUniformLocation(program_, "u_mix");
  glGenVertexArrays(1, &vao_);
  glGenFramebuffers(2, fbo_);
  glGenTextures(2, tex_);
  ready_ = true;
  return true;
}

void Crossfade::resize(int w, int h) {
  width_ = w;
  height_ = h;
  for (int i = 0; i < 2; ++i) {
    glBindTexture(GL_TEXTURE_2D, tex_[i]);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_[i]);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex_[i], 0);
    // Both start as the ground colour, never undefined.
    glClearColor(0.055f, 0.086f, 0.129f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
  }
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  has_previous_ = false;
}

void Crossfade::begin_frame(int w, int h) {
  if (!ready_) return;
  if (w != width_ || h != height_) resize(w, h);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_[current_]);
  glViewport(0, 0, w, h);
  glClearColor(0.055f, 0.086f, 0.129f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
}

void Crossfade::present(float t) {
  if (!ready_) return;
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, width_, height_);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_CULL_FACE);
  glUseProgram(program_);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, tex_[has_previous_ ? current_ ^ 1 : current_]);
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, tex_[current_]);
  glUniform1i(u_from_, 0);
  glUniform1i(u_to_, 1);
  glUniform1f(u_mix_, t);
  glBindVertexArray(vao_);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  glBindVertexArray(0);
  glActiveTexture(GL_TEXTURE0);
  glUseProgram(0);
}

Crossfade::~Crossfade() {
  if (!ready_) return;
  glDeleteFramebuffers(2, fbo_);
  glDeleteTextures(2, tex_);
  glDeleteVertexArrays(1, &vao_);
  glDeleteProgram(program_);
}

#else  // desktop: no cross-fade, the app draws to the screen

bool Crossfade::init(const char*) { return false; }
void Crossfade::begin_frame(int, int) {}
void Crossfade::present(float) {}
void Crossfade::resize(int, int) {}
Crossfade::~Crossfade() {}

#endif

}  // namespace dh::app
