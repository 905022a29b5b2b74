#include "rpc_filters.hpp"

#include <shaddock/cpp/json.hpp>
#include <shaddock/cpp/lag_meter.hpp>
#include <shaddock/cpp/options.hpp>

#include <algorithm>
#include <cstdio>

namespace shd::rpc {

namespace {

std::string_view view(shd_str s) {
    return std::string_view(s.data ? s.data : "", s.size);
}

class RpcLogFilter final : public BuiltinRpcFilter {
public:
    RpcLogFilter(const Host &host, uint64_t slow_ms) : host_(host), slow_us_(slow_ms * 1000) {}
    shd_rpc_after_fn after() const override { return &RpcLogFilter::run; }

private:
    static void SHD_CALL run(void *ud, const shd_rpc_call_view_v1 *call, shd_status status, shd_str,
                             uint64_t elapsed_us) {
        auto *self = static_cast<RpcLogFilter *>(ud);
        if (elapsed_us < self->slow_us_) return;
        std::string target(view(call->server_id));
        std::string line = "rpcLog: " + std::string(view(call->route)) + " to " +
                           (target.empty() ? "server type " + std::string(view(call->server_type)) : target) +
                           " took " + format_elapsed(elapsed_us) + " (" +
                           (status == SHD_OK ? std::string("ok") : std::string(status_name(status))) + ")";
        if (self->slow_us_ > 0)
            self->host_.warn(line);
        else
            self->host_.info(line);
    }

    Host host_;
    uint64_t slow_us_;
};

class ToobusyRpcFilter final : public BuiltinRpcFilter {
public:
    ToobusyRpcFilter(const Host &host, uint64_t max_lag_ms)
        : host_(host), max_lag_ms_(max_lag_ms), meter_(LagMeter::interval_for(max_lag_ms), host.now_ms()) {
        timer_ = host_.every(meter_.interval(), [this] { meter_.tick(host_.now_ms()); });
    }
    ~ToobusyRpcFilter() override { stop(); }
    shd_rpc_before_fn before() const override { return &ToobusyRpcFilter::run; }
    void stop() override {
        if (timer_) host_.cancel(timer_);
        timer_ = 0;
    }

private:
    static void SHD_CALL run(void *ud, const shd_rpc_call_view_v1 *call, shd_rpc_next_fn next, void *next_ctx) {
        auto *self = static_cast<ToobusyRpcFilter *>(ud);
        const uint64_t now = self->host_.now_ms();
        const uint64_t lag = self->meter_.lag(now);
        if (lag <= self->max_lag_ms_) return next(next_ctx, SHD_OK, shd_str{nullptr, 0});
        const std::string target(view(call->server_id));
        if (now - self->last_warning_ >= 1000) {  // one line a second in an overload
            self->last_warning_ = now;
            self->host_.warn("toobusy: the logic thread lags " + std::to_string(lag) + " ms (maxLag " +
                             std::to_string(self->max_lag_ms_) + "): rejecting rpc calls such as " +
                             std::string(view(call->route)) + " to " + target);
        }
        // Pomelo's message: "Backend server <id> is too busy now!"
        const std::string message = shd::json_quote("Backend server " + target + " is too busy now!");
        next(next_ctx, SHD_ERR_BUSY, shd_str{message.data(), message.size()});
    }

    Host host_;
    uint64_t max_lag_ms_;
    LagMeter meter_;
    uint64_t timer_ = 0;
    uint64_t last_warning_ = 0;
};

}  // namespace

const shd::OptionTable *rpc_filter_table(std::string_view name) {
    namespace opt = shd::option;
    // A filter's entry in the list may be {"name": ..., options...}: the name is not an option.
    static const shd::OptionTable rpc_log(
        "the rpcLog rpc filter",
        {opt::ignored("name"),
         opt::integer("slowMs", 0, 0, 86400000,
                      "0: every call is logged at info; above 0, only the calls that took at least this long, as "
                      "warnings")
             .measured_in("ms")});
    static const shd::OptionTable toobusy(
        "the toobusy rpc filter",
        {opt::ignored("name"), opt::integer("maxLag", 70, 1, 60000,
                                            "while the logic thread lags more than this, calls fail with "
                                            "`SHD_ERR_BUSY` before they are sent")
                                   .measured_in("ms")});
    if (name == "rpcLog") return &rpc_log;
    if (name == "toobusy") return &toobusy;
    return nullptr;
}

const shd::OptionTable &rpc_filters_doc_table() {
    namespace opt = shd::option;
    static const shd::OptionTable table(
        "the built-in rpc filters",
        {opt::object("rpcLog", *rpc_filter_table("rpcLog"),
                     "logs every call's route, target, status and time (Pomelo's rpcLog)"),
         opt::object("toobusy", *rpc_filter_table("toobusy"),
                     "rejects calls while the logic thread lags (measured with a periodic timer)")});
    return table;
}

RpcFilterSpec parse_rpc_filter(std::string_view name, const rapidjson::Value *options, const std::string &where) {
    if (options && !options->IsNull() && !options->IsObject())
        throw shd::Error(SHD_ERR_INVALID, where + ": the options of a filter must be a JSON object");
    const shd::OptionTable *table = rpc_filter_table(name);
    if (!table)
        throw shd::Error(SHD_ERR_NOT_FOUND, where + ": unknown rpc filter \"" + std::string(name) +
                                                "\" (expected \"rpcLog\" or \"toobusy\")");
    shd::Options opts(options && options->IsObject() ? options : nullptr, *table, where);  // checks every key
    RpcFilterSpec spec;
    if (name == "rpcLog") {
        spec.kind = RpcFilterSpec::Kind::rpc_log;
        spec.slow_ms = static_cast<uint64_t>(opts.integer("slowMs"));
    } else {
        spec.kind = RpcFilterSpec::Kind::toobusy;
        spec.max_lag_ms = static_cast<uint64_t>(opts.integer("maxLag"));
    }
    return spec;
}

std::vector<RpcFilterSpec> parse_rpc_filter_list(const rapidjson::Value &list, const std::string &where) {
    if (!list.IsArray())
        throw shd::Error(
            SHD_ERR_INVALID,
            where + ": expected an array of filter names or {\"name\": ...} objects, got " + shd::to_json(list));
    std::vector<RpcFilterSpec> out;
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        const rapidjson::Value &entry = list[i];
        const std::string at = where + "[" + std::to_string(i) + "]";
        if (entry.IsString()) {
            out.push_back(parse_rpc_filter(std::string_view(entry.GetString(), entry.GetStringLength()), nullptr, at));
        } else if (entry.IsObject() && entry.HasMember("name") && entry["name"].IsString()) {
            out.push_back(parse_rpc_filter(entry["name"].GetString(), &entry, at));
        } else {
            throw shd::Error(SHD_ERR_INVALID,
                             at + ": expected a filter name or an object with a \"name\", got " + shd::to_json(entry));
        }
    }
    return out;
}

std::string format_elapsed(uint64_t elapsed_us) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%llu.%03llu ms", static_cast<unsigned long long>(elapsed_us / 1000),
                  static_cast<unsigned long long>(elapsed_us % 1000));
    return buf;
}

std::unique_ptr<BuiltinRpcFilter> make_rpc_filter(const Host &host, const RpcFilterSpec &spec) {
    if (spec.kind == RpcFilterSpec::Kind::toobusy) return std::make_unique<ToobusyRpcFilter>(host, spec.max_lag_ms);
    return std::make_unique<RpcLogFilter>(host, spec.slow_ms);
}

}  // namespace shd::rpc
