#include "core/error_codes.h"

namespace dh {

const std::vector<std::string>& core_error_codes() {
  static const std::vector<std::string> codes = {
    "age_unknown", "already_exists", "already_present", "already_signed_up", "already_volunteer", "ambiguous",
    "amends_itself", "amends_other_meeting", "archived", "archived_reference", "assign_needs_expert",
    "attendance_conflict", "bad_assignment", "bad_availability", "bad_attendance", "bad_card_code", "bad_card_digest",
    "bad_checkin_key", "bad_choice", "bad_count", "bad_date", "bad_device", "bad_drawn_order", "bad_format",
    "bad_marks", "bad_matching_problem", "bad_max_choices", "bad_options", "bad_paper_counts", "bad_phone",
    "bad_poll_file", "bad_problem", "bad_published_result", "bad_quorum", "bad_ranked_rules", "bad_reason",
    "bad_seats", "bad_shift", "bad_slide", "bad_text", "bad_threshold", "bad_value", "bad_voter_digest",
    "ballot_card_fixed", "ballot_immutable", "ballot_voter_missing", "cancel_after_check_in", "cannot_move", "cannot_move_attended",
    "check_in_outside_shift", "check_out_before_check_in", "check_out_too_late", "check_out_without_check_in",
    "clash", "corrupt_snapshot", "duplicate_choice", "duplicate_column", "duplicate_level", "duplicate_party",
    "empty_file", "end_before_start", "freeze_at_close", "guardian_consent_missing", "level_without_field",
    "malformed_operation", "malformed_payload", "mismatch", "missing_column", "missing_field",
    "missing_skill", "named_ballot_card", "no_author", "no_options", "no_such_request", "no_vote_here",
    "not_a_number", "not_archived", "not_canonical", "not_council_member", "not_found", "not_paper_poll",
    "nothing_to_change", "out_of_range", "override_reason_missing", "paper_counts_shape",
    "paper_mismatch_unrecorded", "paper_not_for_ranked", "paper_returned_needed", "poll_field_later",
    "poll_is_named", "poll_is_secret", "poll_not_closed", "poll_not_open", "poll_spec_fixed",
    "poll_state_jump", "proxy_exists", "proxy_limit", "proxy_member_present", "proxy_to_self",
    "publish_result", "rate_needs_rating", "rating_only_when_rating", "read_only_field", "reason_missing",
    "same_shift", "seconder_is_proposer", "secret_ballot_named", "solver_failed", "step_is_history",
    "too_few_options", "too_long", "too_young", "trainee_only_when_assigning", "unknown_field",
    "unknown_party", "unknown_poll", "unknown_reference", "unknown_seconder", "unknown_skill", "unknown_type",
    "unterminated_quote", "when_bad_time", "when_empty", "when_no_such_date", "when_time_needed",
    "when_time_not_here", "when_unreadable", "when_year_range", "wrong_type", "zero_minutes",
  };
  return codes;
}

const std::vector<std::string>& client_error_codes() {
  static const std::vector<std::string> codes = {
    "already_redone", "bad_answer", "bad_device", "bad_id_set", "bad_json", "bad_query", "bad_server_snapshot",
    "bad_snapshot", "duplicate_id", "invalid_device_id", "invalid_operation", "not_empty", "not_found", "not_overridden",
    "not_rejected", "nothing_to_change", "out_of_range", "read_only", "storage_error", "storage_full", "storage_not_open",
    "too_deep", "too_many_ops", "unknown_type", "unsupported_protocol",
  };
  return codes;
}

const std::vector<std::string>& server_error_codes() {
  static const std::vector<std::string> codes = {
    "author_reserved", "bad_code", "bad_device", "bad_upstream", "bad_json", "bad_query", "bad_role", "busy",
    "clock_far_ahead", "code_used", "device_exists", "entity_id_not_yours", "forbidden", "id_reused",
    "internal", "load_rejected", "no_snapshot", "not_found", "op_too_large", "secret_mismatch",
    "snapshot_not_for_role", "store_corrupt",
    "store_error", "too_large", "too_many_attempts", "unauthorized",
    // hub mode (server/upstream.h): said on the hub's console and in its log
    "upstream_error", "upstream_mismatch", "upstream_role", "upstream_unreachable",
    // many communities (docs/communities.md): the communities file; a Host no community has
    "bad_config", "unknown_community",
  };
  return codes;
}

}  // namespace dh
