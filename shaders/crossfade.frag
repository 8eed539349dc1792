// Cross-fade between two slides (docs/projector.md): the outgoing slide's
// texture blends into the incoming one's. u_mix runs 0 -> 1 over the fade;
// smoothstep eases both ends so the change starts and settles softly. Both
// textures are opaque, so the result is never darker or emptier than either
// slide: no blank frame between them.
precision mediump float;

in vec2 v_uv;
uniform sampler2D u_from;
uniform sampler2D u_to;
uniform float u_mix;
out vec4 frag_color;

void main() {
  float t = smoothstep(0.0, 1.0, clamp(u_mix, 0.0, 1.0));
  frag_color = mix(texture(u_from, v_uv), texture(u_to, v_uv), t);
}
