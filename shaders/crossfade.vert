// Cross-fade between two slides (docs/projector.md): a full-screen triangle
// made from gl_VertexID, no vertex buffer. The "#version" line is prepended
// by the app (300 es on WebGL2, 150 on desktop GL).
out vec2 v_uv;

void main() {
  // (0,0) (2,0) (0,2) in uv cover the screen with one triangle.
  vec2 uv = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  v_uv = uv;
  gl_Position = vec4(uv * 2.0 - 1.0, 0.0, 1.0);
}
