// Pomelo's built-in RPC filters (pomelo.rpcFilters: rpcLog, toobusy) for the rpc plugin, with the
// parts that are pure logic (their options) kept apart so the unit tests reach them.
//
//   rpcLog  {slowMs=0}    logs every call's route, target, status and time at info; with slowMs > 0
//                         only the calls that took at least slowMs, as warnings
//   toobusy {maxLag=70}   rejects calls with SHD_ERR_BUSY before they are sent while the logic thread
//                         lags more than maxLag ms (measured with a periodic timer)
#pragma once

#include <shaddock/ext/rpc.h>
#include <shaddock/cpp/host.hpp>

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shd {
class OptionTable;
}

namespace shd::rpc {

struct RpcFilterSpec {
    enum class Kind { rpc_log, toobusy };
    Kind kind = Kind::rpc_log;
    uint64_t slow_ms = 0;      // rpcLog
    uint64_t max_lag_ms = 70;  // toobusy, Pomelo's default
};

// The options of the built-in `name` (rpcLog, toobusy), declared once; nullptr for another name.
const shd::OptionTable *rpc_filter_table(std::string_view name);

// Every built-in as an object option of its own ("toobusy", "toobusy.maxLag"): README.md's table.
const shd::OptionTable &rpc_filters_doc_table();

// One built-in by name with its options (an object; nullptr or null for the defaults; a "name"
// member is ignored). Throws shd::Error naming `where`: SHD_ERR_NOT_FOUND for an unknown name,
// SHD_ERR_INVALID for a bad or unknown option.
RpcFilterSpec parse_rpc_filter(std::string_view name, const rapidjson::Value *options, const std::string &where);

// The plugin's "filters" option: an array of names or {"name": ..., options...} objects.
std::vector<RpcFilterSpec> parse_rpc_filter_list(const rapidjson::Value &list, const std::string &where);


// "12.345 ms" for a duration in microseconds.
std::string format_elapsed(uint64_t elapsed_us);

// A built-in filter at run time. Its before/after are plain C functions taking the object as
// user_data, registered with the service like any app filter. [logic] only.
class BuiltinRpcFilter {
public:
    virtual ~BuiltinRpcFilter() = default;
    virtual shd_rpc_before_fn before() const { return nullptr; }
    virtual shd_rpc_after_fn after() const { return nullptr; }
    virtual void stop() {}
};

std::unique_ptr<BuiltinRpcFilter> make_rpc_filter(const Host &host, const RpcFilterSpec &spec);

}  // namespace shd::rpc
