#include "server_options.hpp"

namespace shd::server {

namespace {

namespace opt = shd::option;

constexpr int64_t kMaxTimeoutMs = 24ll * 3600 * 1000;
const char *const kFilterList = "an array of filter names or {\"name\": ...} objects";

// A filter's entry in a list may be {"name": ..., options...}: the name is not an option.
Option name_key() {
    return opt::ignored("name");
}

}  // namespace

const OptionTable &server_option_table() {
    static const OptionTable table(
        "the server plugin",
        {opt::array("filters",
                    "built-in local filters (around handlers on this server): names, or `{\"name\": ...}` objects "
                    "with the filter's options")
             .expecting(kFilterList),
         opt::array("globalFilters",
                    "built-in global filters (on a frontend, before dispatch or forwarding), in the same form")
             .expecting(kFilterList)});
    return table;
}

const OptionTable *builtin_filter_table(std::string_view name) {
    static const OptionTable serial(
        "the serial filter",
        {name_key(), opt::integer("timeout", 3000, 1, kMaxTimeoutMs,
                                  "a request still running after it is answered with an error, and the session's "
                                  "next request starts")
                         .measured_in("ms")});
    static const OptionTable time("the time filter", {name_key()});
    static const OptionTable timeout(
        "the timeout filter",
        {name_key(),
         opt::integer("timeout", 3000, 1, kMaxTimeoutMs, "a request still running after it is logged (not aborted)")
             .measured_in("ms"),
         opt::integer("maxSize", 500, 1, 1'000'000, "requests watched at once")});
    static const OptionTable toobusy(
        "the toobusy filter",
        {name_key(), opt::integer("maxLag", 70, 1, 60'000,
                                  "while the logic thread lags more than this, requests are answered `{\"code\":500}`")
                         .measured_in("ms")});
    if (name == "serial") return &serial;
    if (name == "time") return &time;
    if (name == "timeout") return &timeout;
    if (name == "toobusy") return &toobusy;
    return nullptr;
}

const OptionTable &builtin_filters_doc_table() {
    static const OptionTable table(
        "the built-in filters",
        {opt::object("serial", *builtin_filter_table("serial"),
                     "one request at a time per session, in arrival order (Pomelo's seq-queue)"),
         opt::object("time", *builtin_filter_table("time"), "logs each request's route and the time it took"),
         opt::object("timeout", *builtin_filter_table("timeout"), "warns about requests still running too long"),
         opt::object("toobusy", *builtin_filter_table("toobusy"),
                     "rejects requests while the logic thread lags (measured with a periodic timer)")});
    return table;
}

}  // namespace shd::server
