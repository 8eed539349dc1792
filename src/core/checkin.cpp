#include "core/checkin.h"

#include <vector>

#include "core/rule_book.h"

namespace dh {

bool is_valid_checkin_key(std::string_view key) {
  if (key.size() < static_cast<size_t>(kCheckinKeyMinLength) || key.size() > static_cast<size_t>(kCheckinKeyMaxLength))
    return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Status check_checkin_key(const Json& fields) {
  if (!fields.is_object()) return ok_status();
  auto it = fields.find("checkin_key");
  if (it == fields.end() || it->is_null()) return ok_status();
  if (!it->is_string() || !is_valid_checkin_key(it->get<std::string>()))
    return make_error("bad_checkin_key",
                      "A shift's check-in key must be 16 to 32 characters of a-z and 0-9; the app makes one "
                      "when the check-in QR code is first shown.");
  return ok_status();
}

void register_checkin_rules(RuleBook& book) {
  book.add("shift", {"create", "edit"}, [](const RuleInput& in) -> Status { return check_checkin_key(in.changes); });
}

std::string checkin_url(const std::string& origin, const std::string& shift_id, const std::string& key) {
  std::string base = origin;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string id;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : shift_id) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~' || c == ':';
    if (plain) {
      id.push_back(static_cast<char>(c));
    } else {
      id.push_back('%');
      id.push_back(hex[c >> 4]);
      id.push_back(hex[c & 15]);
    }
  }
  return base + "/checkin.html#s=" + id + "&k=" + key;
}

bool qr_window_open(const Interval& shift, int64_t now, QrAction action) {
  const int64_t opens = shift.start - kQrCheckinOpensBeforeStartMinutes;
  if (now < opens) return false;
  if (action == QrAction::check_in) return now < shift.end;
  return now <= shift.end + kQrCheckoutClosesAfterEndMinutes;
}

Interval qr_any_window(const Interval& shift) {
  return Interval{shift.start - kQrCheckinOpensBeforeStartMinutes, shift.end + kQrCheckoutClosesAfterEndMinutes};
}

std::string mask_person_name(const std::string& name) {
  std::vector<std::string> cps;
  for (size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
    if (i + len > name.size()) len = name.size() - i;
    cps.push_back(name.substr(i, len));
    i += len;
  }
  if (cps.empty()) return "";
  if (cps.size() == 1) return "*";
  if (cps.size() == 2) return cps[0] + "*";
  return cps.front() + std::string(cps.size() - 2, '*') + cps.back();
}

}  // namespace dh
