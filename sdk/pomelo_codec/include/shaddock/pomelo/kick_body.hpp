// The body of a KICK package (type 5): {"reason":"<reason>"} as JSON.stringify writes it.
#pragma once

#include <string>
#include <string_view>

namespace shd::pomelo {

// `reason` is UTF-8 (invalid bytes are sent as U+FFFD). Pomelo's reasons: "kick", "attack", or
// whatever the app passed to sessionService.kick().
std::string kick_body(std::string_view reason);

}  // namespace shd::pomelo
