// A server's side of the admin console (docs/cluster.md, "Admin console messages"): the answer to one
// "console" request of the master, from this process's admin modules ("shd.admin/1"). The monitor sends
// it over the master link; the master uses it for itself. [logic]
#pragma once

#include <shaddock/cpp/host.hpp>

#include <rapidjson/document.h>

#include <string>

namespace shd::cluster {

constexpr size_t kMaxConsoleAnswer = 256 * 1024;  // bytes of a module's answer
constexpr size_t kMaxConsoleRequest = 64 * 1024;  // bytes of a module's request
constexpr size_t kMaxConsoleTotal = 8 << 20;      // bytes of every server's answers to one command

// The request's fields: {"t":"console","req":N,"op":"call|list|enable|disable","module":M,"body":B}.
// Returns the whole answer frame, {"t":"console_result","req":N,"ok":true,"answer":A} or
// {"t":"console_result","req":N,"ok":false,"error":"..."}; a malformed request gets an error answer
// (req 0 when it had no usable req).
std::string console_answer(const Host &host, const rapidjson::Value &msg);

}  // namespace shd::cluster
