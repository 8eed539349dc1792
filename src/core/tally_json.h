// The JSON form of polls, ballots and tally results (docs/voting.md, "File
// format"): what `dianhong tally` reads and writes, and what the deliberation
// model can keep in its operations. Parsing never throws: a bad file gives an
// Error whose message names the entry at fault ("ballots[12].ranks[2][0]: ...").
#pragma once

#include <vector>

#include "core/operation.h"  // Json
#include "core/result.h"
#include "core/tally.h"

namespace dh::tally {

struct PollFile {
  PollSpec spec;
  std::vector<Ballot> ballots;
};

// {"method", "options", "rules": {...}, "entitled", "present", "paper", "ballots": [...]}.
// Options in ballots are given by label (or by index when "by_index": true).
Result<PollFile> poll_from_json(const Json& j);
// Also reads the election files of tests/data/elections/ (candidates,
// raw_ballots, rules; see docs/voting.md): true when `j` has that shape.
bool is_election_file(const Json& j);
Result<PollFile> poll_from_election_json(const Json& j);

Json spec_to_json(const PollSpec& spec);
Result<PollSpec> spec_from_json(const Json& j);
// The result with every round; options by label.
Json result_to_json(const TallyResult& r);

}  // namespace dh::tally
