#include "service_results.hpp"

#include <shaddock/cpp/json.hpp>

#include <memory>

namespace shd::redis {

shd_status batch_status(shd_status status, const std::vector<Reply> &replies, size_t expected) {
    if (status != SHD_OK) return status;
    if (replies.size() != expected) return SHD_ERR_INTERNAL;
    for (const Reply &r : replies)
        if (r.is_error()) return SHD_ERR_INTERNAL;
    return SHD_OK;
}

void answer_later(const Host &host, ResultFn done, void *ud, shd_status status, std::string json) {
    if (!done) return;
    auto text = std::make_shared<std::string>(std::move(json));
    if (!host.post([done, ud, status, text] { done(ud, status, to_shd(*text)); }))
        done(ud, SHD_ERR_SHUTDOWN, to_shd(""));
}

}  // namespace shd::redis
