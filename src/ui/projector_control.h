// The chair's projector control: what is up now (a small live drawing of
// it), the choice of the next slide (agenda, a motion, the speakers' list,
// the live count or the result of a poll, blank), a PREVIEW of that slide
// drawn by the projector's own drawing (ui/projector_view.h) before it goes
// up, and "project", which emits the projection command (core/projection.h).
// The deliberation screens call it with their meeting; the projector area of
// the Workbench calls it with the meeting chosen there.
//
// Contract: reads the State only; emits at most one command per frame
// (CreateEntity or EditEntity of kind "projection") into out.commands. It
// knows the command took effect when the State's current projection holds
// the slide it sent ("已投影"); until then it says "正在投影".
//
// Test ids: projector-now (text), proj-pick-<type> (agenda motion speakers
// live_count result blank), proj-pick-motion / proj-pick-poll (combos, options
// opt-<id>), prev-* (the preview, ui/projector_view.h), now-* (the small
// drawing of what is up), proj-project (button), proj-state (text),
// proj-result-hidden (text), proj-address (text).
#pragma once

#include <string>

#include "core/state.h"
#include "ui/contract.h"

namespace dh::ui {

void draw_projector_control(const State& state, const std::string& meeting_id, UiOutput& out);

// The Workbench's projector area: a meeting to choose (the one in session
// first), then draw_projector_control for it.
void draw_projector_area(const State& state, UiOutput& out);

}  // namespace dh::ui
