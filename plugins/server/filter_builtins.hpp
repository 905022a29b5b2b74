// Pomelo's built-in handler filters (pomelo.filters.*): serial, time, timeout and toobusy. [logic] only.
// Their options are declared in server_options.cpp (defaults, ranges; README.md lists them).
//
//   serial   one request at a time per session, in arrival order; a request still running after
//            `timeout` ms is answered with an error and the session's next request starts
//   time     logs each request's route and the time it took
//   timeout  warns about requests still running after `timeout` ms (it does not abort them); at most
//            maxSize are watched at once
//   toobusy  answers {"code":500} while the logic thread lags more than maxLag ms (measured with a
//            periodic timer)
#pragma once

#include "filter_run.hpp"

#include <shaddock/cpp/host.hpp>

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>

namespace shd::server {

// The built-in `name` with its options (an object, or null for the defaults; a "name" member is
// ignored). Throws shd::Error naming `where` ("option filters[1]", "serial", ...): SHD_ERR_NOT_FOUND
// for an unknown name, SHD_ERR_INVALID for a bad option.
std::shared_ptr<BuiltinFilter> make_builtin_filter(const Host &host, std::string_view name,
                                                   const rapidjson::Value *options, const std::string &where);

}  // namespace shd::server
