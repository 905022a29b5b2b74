// snapshot.cpp - merging and the wire form of Snapshot.
#include "snapshot.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace shd::robot {

void Snapshot::merge(const Snapshot &o) {
    requests_ok += o.requests_ok;
    requests_failed += o.requests_failed;
    requests_refused += o.requests_refused;
    notifies += o.notifies;
    pushes += o.pushes;
    connects_ok += o.connects_ok;
    connects_failed += o.connects_failed;
    disconnects += o.disconnects;
    for (auto &[k, n] : o.errors) errors[k] += n;
    for (auto &[k, n] : o.pushes_by_route) {
        auto it = pushes_by_route.find(k);
        if (it != pushes_by_route.end())
            it->second += n;
        else if (pushes_by_route.size() < kMaxPushRoutes)
            pushes_by_route.emplace(k, n);
        else
            pushes_by_route["(other routes)"] += n;
    }
    for (auto &[k, f] : o.requests_by_route) {
        RouteFigures &mine = route(k);
        mine.ok += f.ok;
        mine.failed += f.failed;
        mine.refused += f.refused;
        mine.us.merge(f.us);
    }
    request_us.merge(o.request_us);
    push_us.merge(o.push_us);
    connect_us.merge(o.connect_us);
    users_connected += o.users_connected;
    rate_senders += o.rate_senders;
}

RouteFigures &Snapshot::route(std::string_view r) {
    auto it = requests_by_route.find(r);
    if (it != requests_by_route.end()) return it->second;
    if (requests_by_route.size() >= kMaxPushRoutes) return requests_by_route["(other routes)"];
    return requests_by_route.emplace(std::string(r), RouteFigures()).first->second;
}

uint64_t Snapshot::error_count() const {
    uint64_t n = 0;
    for (auto &e : errors) n += e.second;
    return n;
}

namespace {

// A key as a JSON string, then ':'.
void put_key(std::string &out, const std::string &k) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.String(k.data(), rapidjson::SizeType(k.size()));
    out.append(buf.GetString(), buf.GetSize());
    out += ':';
}

void put_map(std::string &out, const std::map<std::string, uint64_t, std::less<>> &m) {
    out += '{';
    bool first = true;
    for (auto &[k, n] : m) {
        if (!first) out += ',';
        first = false;
        put_key(out, k);
        out += std::to_string(n);
    }
    out += '}';
}

}  // namespace

std::string Snapshot::to_json() const {
    std::string out = "{";
    auto num = [&](const char *key, uint64_t v) { out += std::string("\"") + key + "\":" + std::to_string(v) + ","; };
    num("requestsOk", requests_ok);
    num("requestsFailed", requests_failed);
    num("requestsRefused", requests_refused);
    num("notifies", notifies);
    num("pushes", pushes);
    num("connectsOk", connects_ok);
    num("connectsFailed", connects_failed);
    num("disconnects", disconnects);
    num("usersConnected", users_connected);
    num("rateSenders", rate_senders);
    out += "\"errors\":";
    put_map(out, errors);
    out += ",\"pushesByRoute\":";
    put_map(out, pushes_by_route);
    out += ",\"requestsByRoute\":{";
    bool first = true;
    for (auto &[k, f] : requests_by_route) {
        if (!first) out += ',';
        first = false;
        put_key(out, k);
        out += "{\"ok\":" + std::to_string(f.ok) + ",\"failed\":" + std::to_string(f.failed) +
               ",\"refused\":" + std::to_string(f.refused) + ",\"us\":" + f.us.to_json() + "}";
    }
    out += '}';
    out += ",\"requestUs\":" + request_us.to_json();
    out += ",\"pushUs\":" + push_us.to_json();
    out += ",\"connectUs\":" + connect_us.to_json();
    out += '}';
    return out;
}

bool Snapshot::from_value(const rapidjson::Value &v, std::string *error) {
    auto fail = [&](const std::string &why) {
        if (error) *error = "stats: " + why;
        return false;
    };
    if (!v.IsObject()) return fail("not an object");
    Snapshot s;
    struct Field {
        const char *key;
        uint64_t *slot;
    } fields[] = {
        {"requestsOk", &s.requests_ok},  {"requestsFailed", &s.requests_failed}, {"notifies", &s.notifies},
        {"pushes", &s.pushes},           {"connectsOk", &s.connects_ok},         {"connectsFailed", &s.connects_failed},
        {"disconnects", &s.disconnects}, {"usersConnected", &s.users_connected}, {"rateSenders", &s.rate_senders}};
    for (auto &f : fields) {
        auto it = v.FindMember(f.key);
        if (it == v.MemberEnd() || !it->value.IsUint64())
            return fail(std::string(f.key) + " must be an unsigned integer");
        *f.slot = it->value.GetUint64();
    }
    // Optional: agents of an older robot do not send it.
    if (auto it = v.FindMember("requestsRefused"); it != v.MemberEnd()) {
        if (!it->value.IsUint64()) return fail("requestsRefused must be an unsigned integer");
        s.requests_refused = it->value.GetUint64();
    }
    for (auto [key, map] : {std::pair{"errors", &s.errors}, std::pair{"pushesByRoute", &s.pushes_by_route}}) {
        auto it = v.FindMember(key);
        if (it == v.MemberEnd() || !it->value.IsObject()) return fail(std::string(key) + " must be an object");
        for (auto &m : it->value.GetObject()) {
            if (!m.value.IsUint64()) return fail(std::string(key) + " values must be unsigned integers");
            (*map)[std::string(m.name.GetString(), m.name.GetStringLength())] = m.value.GetUint64();
        }
    }
    // Optional: agents of an older robot do not send it.
    if (auto it = v.FindMember("requestsByRoute"); it != v.MemberEnd()) {
        if (!it->value.IsObject()) return fail("requestsByRoute must be an object");
        for (auto &m : it->value.GetObject()) {
            auto ok = m.value.IsObject() ? m.value.FindMember("ok") : v.MemberEnd();
            auto failed = m.value.IsObject() ? m.value.FindMember("failed") : v.MemberEnd();
            auto us = m.value.IsObject() ? m.value.FindMember("us") : v.MemberEnd();
            if (!m.value.IsObject() || ok == m.value.MemberEnd() || !ok->value.IsUint64() ||
                failed == m.value.MemberEnd() || !failed->value.IsUint64() || us == m.value.MemberEnd())
                return fail("requestsByRoute entries must be {ok, failed, us}");
            RouteFigures &f = s.route(std::string_view(m.name.GetString(), m.name.GetStringLength()));
            f.ok += ok->value.GetUint64();
            f.failed += failed->value.GetUint64();
            // Optional: agents of an older robot do not send it.
            if (auto r = m.value.FindMember("refused"); r != m.value.MemberEnd() && r->value.IsUint64())
                f.refused += r->value.GetUint64();
            Histogram h;
            std::string why;
            if (!h.from_value(us->value, &why)) return fail("requestsByRoute: " + why);
            f.us.merge(h);
        }
    }
    for (auto [key, h] : {std::pair{"requestUs", &s.request_us}, std::pair{"pushUs", &s.push_us},
                          std::pair{"connectUs", &s.connect_us}}) {
        auto it = v.FindMember(key);
        if (it == v.MemberEnd()) return fail(std::string(key) + " missing");
        std::string why;
        if (!h->from_value(it->value, &why)) return fail(std::string(key) + ": " + why);
    }
    *this = std::move(s);
    return true;
}

}  // namespace shd::robot
