#include "console_agent.hpp"

#include "link_messages.hpp"

#include <shaddock/ext/admin.h>
#include <shaddock/cpp/json.hpp>
#include <shaddock/pomelo/json_parse.hpp>

namespace shd::cluster {

namespace {

std::string failed(uint64_t req, const std::string &error) {
    return R"({"t":"console_result","req":)" + std::to_string(req) + R"(,"ok":false,"error":)" + json_quote(error) +
           "}";
}

void keep(void *ud, shd_str t) {
    static_cast<std::string *>(ud)->assign(t.data ? t.data : "", t.size);
}

}  // namespace

std::string console_answer(const Host &host, const rapidjson::Value &msg) {
    uint64_t req = msg.IsObject() && msg.HasMember("req") && msg["req"].IsUint64() ? msg["req"].GetUint64() : 0;
    if (req == 0) return failed(0, "a console request needs a positive integer req");
    std::string op = link_field(msg, "op"), name = link_field(msg, "module");
    auto [vt, ctx] = host.find<shd_admin_v1>(SHD_ADMIN_SERVICE_ID);
    if (!vt) return failed(req, "this server's host has no admin modules (" SHD_ADMIN_SERVICE_ID ")");
    std::string out;
    shd_status s = SHD_OK;
    if (op == "list") {
        vt->list(ctx, &keep, &out);
    } else if (op == "enable" || op == "disable") {
        s = vt->set_enabled(ctx, to_shd(name), op == "enable" ? 1 : 0);
        if (s == SHD_ERR_NOT_FOUND)
            out = "no admin module " + name + " on this server";
        else
            out = R"({"module":)" + json_quote(name) + R"(,"enabled":)" + (op == "enable" ? "true" : "false") + "}";
    } else if (op == "call") {
        if (name.empty() || name.size() > kMaxLinkName) return failed(req, "a console call needs a module name");
        std::string body = msg.HasMember("body") ? to_json(msg["body"]) : std::string("null");
        if (body.size() > kMaxConsoleRequest)
            return failed(req, "the request is " + std::to_string(body.size()) + " bytes, over the limit of " +
                                   std::to_string(kMaxConsoleRequest));
        s = vt->call(ctx, to_shd(name), to_shd(body), &keep, &out);
    } else {
        return failed(req, "unknown console op \"" + op.substr(0, 64) + "\"");
    }
    if (s != SHD_OK) return failed(req, out.empty() ? std::string(status_name(s)) : out);
    if (out.size() > kMaxConsoleAnswer)
        return failed(req, "the answer of " + name + " is " + std::to_string(out.size()) +
                               " bytes, over the console's limit of " + std::to_string(kMaxConsoleAnswer));
    // The answer must be one JSON value: it is spliced into this frame, then into the master's answer to
    // the admin user, each read with the master link's depth limit.
    rapidjson::Document check;
    if (!pomelo::parse_json(out, check, kMaxLinkJsonDepth - 4))
        return failed(req, "the module " + name + " answered something that is not JSON (or nests deeper than " +
                               std::to_string(kMaxLinkJsonDepth - 4) + " levels)");
    return R"({"t":"console_result","req":)" + std::to_string(req) + R"(,"ok":true,"answer":)" + out + "}";
}

}  // namespace shd::cluster
