// What the Redis plugins' services share when they answer: a batch's outcome as one status, a list
// of strings as JSON, and an answer posted for later. [logic] only.
#pragma once

#include "redis_link.hpp"

#include <string>
#include <vector>

namespace shd::redis {

// The result callback of shd.status/1 and shd.globalchannel/1 (same signature in both headers).
using ResultFn = void(SHD_CALL *)(void *user_data, shd_status status, shd_str result_json);

// SHD_OK when the batch ran and Redis answered each of its `expected` commands without an error
// reply; else the batch's failure, or SHD_ERR_INTERNAL.
shd_status batch_status(shd_status status, const std::vector<Reply> &replies, size_t expected);

// Runs done(ud, status, json) later on the logic thread (now with SHD_ERR_SHUTDOWN when the host takes
// no more work): for answers that need no Redis (bad arguments). A null done is allowed.
void answer_later(const Host &host, ResultFn done, void *ud, shd_status status, std::string json);

}  // namespace shd::redis
