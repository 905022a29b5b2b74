// agent_wire.cpp - encoding and strict decoding of the agent protocol (agent_wire.hpp).
#include "agent_wire.hpp"

#include <shaddock/cpp/json.hpp>

#include <rapidjson/document.h>

namespace shd::robot {

std::string encode_run(const std::string &scenario_json, uint64_t first_index, uint64_t users, uint64_t total_users,
                       int64_t start_at_us) {
    return "{\"type\":\"run\",\"scenario\":" + scenario_json + ",\"firstIndex\":" + std::to_string(first_index) +
           ",\"users\":" + std::to_string(users) + ",\"totalUsers\":" + std::to_string(total_users) +
           ",\"startAtUs\":" + std::to_string(start_at_us) + "}\n";
}

std::string encode_level(unsigned level) {
    return "{\"type\":\"level\",\"level\":" + std::to_string(level) + "}\n";
}
std::string encode_stop() {
    return "{\"type\":\"stop\"}\n";
}
std::string encode_ready() {
    return "{\"type\":\"ready\"}\n";
}

std::string encode_tick(unsigned second, const Snapshot &s) {
    return "{\"type\":\"tick\",\"second\":" + std::to_string(second) + ",\"stats\":" + s.to_json() + "}\n";
}

std::string encode_done(const Snapshot &rest, const CpuTimes &cpu, double elapsed) {
    return "{\"type\":\"done\",\"stats\":" + rest.to_json() + ",\"cpu\":{\"user\":" + std::to_string(cpu.user_seconds) +
           ",\"system\":" + std::to_string(cpu.system_seconds) + "},\"elapsed\":" + std::to_string(elapsed) + "}\n";
}

std::string encode_error(const std::string &message) {
    return "{\"type\":\"error\",\"message\":" + shd::json_quote(message) + "}\n";
}

bool decode_message(std::string_view line, WireMessage &out, std::string *error) {
    auto fail = [&](const std::string &why) {
        if (error) *error = why;
        return false;
    };
    if (line.size() > kMaxLineBytes) return fail("line longer than " + std::to_string(kMaxLineBytes) + " bytes");
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError())
        return fail("not a JSON object (parse error at byte " + std::to_string(d.GetErrorOffset()) + ")");
    if (!d.IsObject()) return fail("not a JSON object");
    std::string type = shd::json_string(d, "type");
    auto uint_field = [&](const char *key, uint64_t &slot) {
        auto it = d.FindMember(key);
        if (it == d.MemberEnd() || !it->value.IsUint64())
            return fail("\"" + type + "\" message: \"" + key + "\" must be an unsigned integer");
        slot = it->value.GetUint64();
        return true;
    };
    WireMessage m;
    if (type == "run") {
        m.type = WireMessage::Type::run;
        auto it = d.FindMember("scenario");
        if (it == d.MemberEnd() || !it->value.IsObject())
            return fail("\"run\" message: \"scenario\" must be an object");
        m.scenario_json = shd::to_json(it->value);
        uint64_t start = 0;
        if (!uint_field("firstIndex", m.first_index) || !uint_field("users", m.users) ||
            !uint_field("totalUsers", m.total_users) || !uint_field("startAtUs", start))
            return false;
        if (m.users == 0 || m.first_index + m.users > m.total_users)
            return fail("\"run\" message: users must be > 0 and firstIndex + users <= totalUsers");
        m.start_at_us = int64_t(start);
    } else if (type == "level") {
        m.type = WireMessage::Type::level;
        uint64_t level = 0;
        if (!uint_field("level", level)) return false;
        if (level > 100000) return fail("\"level\" message: level out of range");
        m.level = unsigned(level);
    } else if (type == "stop") {
        m.type = WireMessage::Type::stop;
    } else if (type == "ready") {
        m.type = WireMessage::Type::ready;
    } else if (type == "tick" || type == "done") {
        m.type = type == "tick" ? WireMessage::Type::tick : WireMessage::Type::done;
        if (type == "tick") {
            uint64_t second = 0;
            if (!uint_field("second", second)) return false;
            m.second = unsigned(second);
        }
        auto it = d.FindMember("stats");
        if (it == d.MemberEnd()) return fail("\"" + type + "\" message: \"stats\" missing");
        std::string why;
        if (!m.stats.from_value(it->value, &why)) return fail("\"" + type + "\" message: " + why);
        if (type == "done") {
            auto c = d.FindMember("cpu");
            auto e = d.FindMember("elapsed");
            if (c == d.MemberEnd() || !c->value.IsObject() || !c->value.HasMember("user") ||
                !c->value["user"].IsNumber() || !c->value.HasMember("system") || !c->value["system"].IsNumber())
                return fail("\"done\" message: \"cpu\" must be {\"user\":S,\"system\":S}");
            if (e == d.MemberEnd() || !e->value.IsNumber())
                return fail("\"done\" message: \"elapsed\" must be a number");
            m.cpu.user_seconds = c->value["user"].GetDouble();
            m.cpu.system_seconds = c->value["system"].GetDouble();
            m.elapsed = e->value.GetDouble();
        }
    } else if (type == "error") {
        m.type = WireMessage::Type::error;
        m.message = shd::json_string(d, "message", "(no message)");
    } else {
        return fail(type.empty() ? "message without a \"type\" string"
                                 : "unknown message type \"" + type +
                                       "\" (expected run, level, stop, ready, tick, done, error)");
    }
    out = std::move(m);
    return true;
}

}  // namespace shd::robot
