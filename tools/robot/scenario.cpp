// scenario.cpp - reading and validating scenario files. Every complaint names the file and the JSON
// path of the bad key, says what was found and what was expected.
#include "scenario.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace shd::robot {

namespace {

using rapidjson::Value;

struct BadKey : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string json_text(const Value &v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    std::string s(buf.GetString(), buf.GetSize());
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

[[noreturn]] void bad(const std::string &path, const std::string &what, const Value *got = nullptr) {
    throw BadKey(path + ": " + what + (got ? ", got " + json_text(*got) : std::string()));
}

// Rejects members not in `known` (a misspelt key would otherwise be silently ignored).
void only_keys(const Value &obj, const std::string &path, std::initializer_list<const char *> known) {
    for (auto &m : obj.GetObject()) {
        std::string name(m.name.GetString(), m.name.GetStringLength());
        bool ok = false;
        for (const char *k : known) ok = ok || name == k;
        if (!ok) {
            std::string list;
            for (const char *k : known) list += std::string(list.empty() ? "" : ", ") + k;
            bad(path + "." + name, "unknown key (expected one of: " + list + ")");
        }
    }
}

const Value *member(const Value &obj, const char *key) {
    auto it = obj.FindMember(key);
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::string get_string(const Value &obj, const std::string &path, const char *key, std::string fallback) {
    const Value *v = member(obj, key);
    if (!v) return fallback;
    if (!v->IsString()) bad(path + "." + key, "expected a string", v);
    return std::string(v->GetString(), v->GetStringLength());
}

double get_number(const Value &obj, const std::string &path, const char *key, double fallback, double lo, double hi) {
    const Value *v = member(obj, key);
    if (!v) return fallback;
    if (!v->IsNumber()) bad(path + "." + key, "expected a number", v);
    double d = v->GetDouble();
    if (!(d >= lo && d <= hi)) {
        std::ostringstream o;
        o << "expected a number in [" << lo << ", " << hi << "]";
        bad(path + "." + key, o.str(), v);
    }
    return d;
}

uint64_t get_uint(const Value &obj, const std::string &path, const char *key, uint64_t fallback, uint64_t lo,
                  uint64_t hi) {
    const Value *v = member(obj, key);
    if (!v) return fallback;
    if (!v->IsUint64() || v->GetUint64() < lo || v->GetUint64() > hi)
        bad(path + "." + key, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", v);
    return v->GetUint64();
}

class Parser {
public:
    explicit Parser(Scenario &s) : s_(s) {}

    void top(const Value &d) {
        const std::string p = "$";
        if (!d.IsObject()) bad(p, "expected a JSON object", &d);
        only_keys(d, p,
                  {"name", "server", "users", "rampPerSecond", "durationSeconds", "threads", "stayConnected", "uid",
                   "vars", "pushTimestampField", "script"});
        s_.name = get_string(d, p, "name", "");
        if (const Value *v = member(d, "vars")) {
            if (!v->IsObject()) bad("$.vars", "expected an object of strings and numbers", v);
            for (auto &m : v->GetObject()) {
                std::string name(m.name.GetString(), m.name.GetStringLength());
                if (!m.value.IsString() && !m.value.IsNumber())
                    bad("$.vars." + name, "expected a string or a number", &m.value);
                if (name.empty() || name.find_first_of("${}:") != std::string::npos)
                    bad("$.vars." + name, "a variable name may not be empty or hold $ { } :");
                vars_[name] = json_text(m.value);
            }
        }
        if (const Value *v = member(d, "server")) server(*v);
        s_.users = get_uint(d, p, "users", 1, 1, 10000000);
        s_.ramp_per_second = get_number(d, p, "rampPerSecond", 0, 0, 1e7);
        s_.duration_seconds = get_number(d, p, "durationSeconds", 10, 0.1, 366 * 86400);
        s_.threads = unsigned(get_uint(d, p, "threads", 1, 1, 256));
        if (const Value *v = member(d, "stayConnected")) {
            if (!v->IsBool()) bad("$.stayConnected", "expected true or false", v);
            s_.stay_connected = v->GetBool();
        }
        text_template(s_.uid, get_string(d, p, "uid", "user${index}"), "$.uid");
        s_.push_timestamp_field = get_string(d, p, "pushTimestampField", "ts");
        const Value *script = member(d, "script");
        if (script) {
            collect_user_vars(*script);
            steps(*script, "$.script", s_.script);
        }
    }

private:
    // The names given by "save" and "set" anywhere in the script: templates may use them before the
    // step that sets them (an unset variable expands to null / "").
    void collect_user_vars(const Value &v) {
        if (v.IsArray()) {
            for (auto &e : v.GetArray()) collect_user_vars(e);
        } else if (v.IsObject()) {
            for (const char *key : {"save", "set", "forget", "assign"})
                if (const Value *m = member(v, key); m && m->IsObject())
                    for (auto &e : m->GetObject()) {
                        std::string name(e.name.GetString(), e.name.GetStringLength());
                        if (!name.empty() && name.find_first_of("${}:+") == std::string::npos && !vars_.count(name) &&
                            !builtin(name))
                            user_vars_.insert(name);
                    }
            if (const Value *l = member(v, "loop"); l && l->IsObject())
                if (const Value *inner = member(*l, "steps")) collect_user_vars(*inner);
        }
    }

    static bool builtin(const std::string &name) {
        for (const char *b : {"index", "seq", "users", "thread", "uid", "now_us", "now_ms"})
            if (name == b) return true;
        return name.compare(0, 5, "rand:") == 0;
    }

    static std::vector<std::string> field_path(const std::string &text) {
        std::vector<std::string> out;
        size_t start = 0;
        for (;;) {
            size_t dot = text.find('.', start);
            out.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        return out;
    }

    void saves(const Value &v, Step &st, const char *key = "save") {
        const Value *m = member(v, key);
        if (!m) return;
        const std::string p = st.path + "." + key;
        if (!m->IsObject()) bad(p, "expected an object {VARIABLE: \"field.path\"}", m);
        for (auto &e : m->GetObject()) {
            std::string name(e.name.GetString(), e.name.GetStringLength());
            if (!user_vars_.count(name))
                bad(p + "." + name, "a variable name may not be empty, hold $ { } : +, be a name from \"vars\" or a built-in (index, uid, ...)");
            if (!e.value.IsString() || e.value.GetStringLength() == 0)
                bad(p + "." + name, "expected a field path like \"player.id\" or \"entities.mob.0.entityId\"", &e.value);
            (std::string(key) == "save" ? st.saves : st.forgets).push_back({name, field_path(e.value.GetString())});
        }
    }

    void expects(const Value &v, Step &st, const char *key = "expect") {
        const Value *m = member(v, key);
        if (!m) return;
        const std::string p = st.path + "." + key;
        if (!m->IsObject()) bad(p, "expected an object {\"field.path\": VALUE}", m);
        std::vector<Expect> &out = std::string_view(key) == "expect" ? st.expects : st.refusals;
        for (auto &e : m->GetObject()) {
            rapidjson::StringBuffer buf;
            rapidjson::Writer<rapidjson::StringBuffer> w(buf);
            e.value.Accept(w);
            out.push_back({field_path(e.name.GetString()), std::string(buf.GetString(), buf.GetSize())});
        }
    }

    void conditions(const Value &v, Step &st) {
        for (auto [key, slot] : {std::pair{"ifSet", &st.if_set}, std::pair{"ifUnset", &st.if_unset}}) {
            const Value *m = member(v, key);
            if (!m) continue;
            if (!m->IsString() || !user_vars_.count(m->GetString()))
                bad(st.path + "." + key, "expected the name of a variable saved by \"save\" or \"set\"", m);
            *slot = m->GetString();
        }
    }

    void assignments(const Value &arg, const std::string &ap, std::vector<std::pair<std::string, Template>> &out) {
        if (!arg.IsObject() || arg.MemberCount() == 0) bad(ap, "expected an object {VARIABLE: VALUE, ..}", &arg);
        for (auto &e : arg.GetObject()) {
            std::string name(e.name.GetString(), e.name.GetStringLength());
            if (!user_vars_.count(name))
                bad(ap + "." + name,
                    "a variable name may not be empty, hold $ { } : +, be a name from \"vars\" or a built-in (index, uid, ...)");
            Template t;
            json_template(t, e.value, ap + "." + name);
            out.emplace_back(name, std::move(t));
        }
    }

    void json_template(Template &t, const Value &v, const std::string &path) {
        std::string why;
        if (!t.compile_json(v, vars_, &why, &user_vars_)) bad(path, why);
    }

    // A host or port: a string template, or (a port) a number.
    void address_template(Template &t, const Value &obj, const std::string &p, const char *key, const char *fallback) {
        const Value *v = member(obj, key);
        if (!v) {
            text_template(t, fallback, p + "." + key);
        } else if (v->IsUint64() && v->GetUint64() >= 1 && v->GetUint64() <= 65535) {
            text_template(t, std::to_string(v->GetUint64()), p + "." + key);
        } else if (v->IsString() && v->GetStringLength() > 0) {
            text_template(t, v->GetString(), p + "." + key);
        } else {
            bad(p + "." + key, "expected a non-empty string template or a port number", v);
        }
    }

    void server(const Value &v) {
        const std::string p = "$.server";
        if (!v.IsObject()) bad(p, "expected an object", &v);
        only_keys(v, p,
                  {"host", "port", "transport", "wsPath", "tlsCaFile", "handshakeUser", "connectTimeoutMs",
                   "requestTimeoutMs"});
        s_.host = get_string(v, p, "host", s_.host);
        if (s_.host.empty()) bad(p + ".host", "expected a host name or address, got \"\"");
        s_.port = uint16_t(get_uint(v, p, "port", s_.port, 1, 65535));
        s_.transport = get_string(v, p, "transport", s_.transport);
        if (s_.transport != "tcp" && s_.transport != "tls" && s_.transport != "ws" && s_.transport != "wss")
            bad(p + ".transport", "expected \"tcp\", \"tls\", \"ws\" or \"wss\"", member(v, "transport"));
        s_.ws_path = get_string(v, p, "wsPath", s_.ws_path);
        s_.tls_ca_file = get_string(v, p, "tlsCaFile", "");
        if (const Value *u = member(v, "handshakeUser")) {
            if (!u->IsObject()) bad(p + ".handshakeUser", "expected an object", u);
            rapidjson::StringBuffer buf;
            rapidjson::Writer<rapidjson::StringBuffer> w(buf);
            u->Accept(w);
            s_.handshake_user.assign(buf.GetString(), buf.GetSize());
        }
        s_.connect_timeout_ms = uint32_t(get_uint(v, p, "connectTimeoutMs", s_.connect_timeout_ms, 1, 3600000));
        s_.request_timeout_ms = uint32_t(get_uint(v, p, "requestTimeoutMs", s_.request_timeout_ms, 0, 3600000));
    }

    void text_template(Template &t, const std::string &text, const std::string &path) {
        std::string why;
        if (!t.compile_text(text, vars_, &why, &user_vars_)) bad(path, why);
    }

    void steps(const Value &v, const std::string &path, std::vector<Step> &out) {
        if (!v.IsArray()) bad(path, "expected an array of steps", &v);
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
            Step st;
            st.path = path + "[" + std::to_string(i) + "]";
            step(v[i], st);
            out.push_back(std::move(st));
        }
    }

    void only_users(const Value &v, Step &st) {
        const Value *o = member(v, "onlyUsers");
        if (!o) return;
        const std::string p = st.path + ".onlyUsers";
        if (o->IsUint64()) {
            st.only_lo = st.only_hi = o->GetUint64();
            return;
        }
        // "LO-HI" (inclusive)
        std::string s = o->IsString() ? o->GetString() : "";
        size_t dash = s.find('-');
        char *end = nullptr;
        bool ok = !s.empty() && dash != std::string::npos && dash > 0;
        if (ok) {
            st.only_lo = std::strtoull(s.c_str(), &end, 10);
            ok = end == s.c_str() + dash;
            st.only_hi = std::strtoull(s.c_str() + dash + 1, &end, 10);
            ok = ok && dash + 1 < s.size() && *end == '\0' && st.only_lo <= st.only_hi;
        }
        if (!ok) bad(p, "expected a user index or a range \"LO-HI\"", o);
    }

    void body(const Value &v, Step &st) {
        const Value *b = member(v, "body");
        std::string why;
        if (!b) {
            rapidjson::Value empty(rapidjson::kObjectType);
            st.body.compile_json(empty, vars_, &why);
            return;
        }
        if (!b->IsObject()) bad(st.path + ".body", "expected a JSON object", b);
        if (!st.body.compile_json(*b, vars_, &why, &user_vars_)) bad(st.path + ".body", why);
    }

    void step(const Value &v, Step &st) {
        if (!v.IsObject()) bad(st.path, "expected a step object", &v);
        static const char *kinds[] = {"request", "notify", "on",   "waitPush", "sleep",  "loop",
                                      "rate",    "disconnect", "http", "set",      "connect"};
        const char *kind = nullptr;
        for (const char *k : kinds) {
            if (member(v, k)) {
                if (kind)
                    bad(st.path, std::string("a step has one kind, found both \"") + kind + "\" and \"" + k + "\"");
                kind = k;
            }
        }
        if (!kind)
            bad(st.path,
                "expected one of the keys request, notify, on, waitPush, sleep, loop, rate, disconnect, http, set, "
                "connect",
                &v);
        only_users(v, st);
        conditions(v, st);
        std::string k = kind;
        const Value &arg = *member(v, kind);
        const std::string ap = st.path + "." + k;
        if (k == "request" || k == "notify") {
            st.kind = k == "request" ? Step::Kind::request : Step::Kind::notify;
            if (k == "request")
                only_keys(v, st.path,
                          {kind, "body", "timeoutMs", "save", "expect", "refusal", "onlyUsers", "ifSet", "ifUnset"});
            else
                only_keys(v, st.path, {kind, "body", "timeoutMs", "onlyUsers", "ifSet", "ifUnset"});
            if (!arg.IsString() || arg.GetStringLength() == 0) bad(ap, "expected a route string", &arg);
            text_template(st.route, arg.GetString(), ap);
            body(v, st);
            st.timeout_ms = uint32_t(get_uint(v, st.path, "timeoutMs", 0, 0, 3600000));
            saves(v, st);
            expects(v, st);
            expects(v, st, "refusal");
        } else if (k == "http") {
            st.kind = Step::Kind::http;
            only_keys(v, st.path, {kind, "body", "timeoutMs", "save", "expect", "onlyUsers", "ifSet", "ifUnset"});
            if (!arg.IsObject()) bad(ap, "expected an object {method, host, port, path}", &arg);
            only_keys(arg, ap, {"method", "host", "port", "path"});
            st.http_method = get_string(arg, ap, "method", "POST");
            if (st.http_method != "POST" && st.http_method != "GET" && st.http_method != "PUT")
                bad(ap + ".method", "expected \"GET\", \"POST\" or \"PUT\"", member(arg, "method"));
            address_template(st.http_host, arg, ap, "host", s_.host.c_str());
            address_template(st.http_port, arg, ap, "port", "80");
            std::string path = get_string(arg, ap, "path", "/");
            if (path.empty() || path[0] != '/') bad(ap + ".path", "expected a path starting with /", member(arg, "path"));
            text_template(st.http_path, path, ap + ".path");
            body(v, st);
            st.timeout_ms = uint32_t(get_uint(v, st.path, "timeoutMs", 0, 0, 3600000));
            saves(v, st);
            expects(v, st);
        } else if (k == "set") {
            st.kind = Step::Kind::set;
            only_keys(v, st.path, {kind, "onlyUsers", "ifSet", "ifUnset"});
            assignments(arg, ap, st.sets);
        } else if (k == "connect") {
            st.kind = Step::Kind::connect;
            only_keys(v, st.path, {kind, "onlyUsers", "ifSet", "ifUnset"});
            if (!arg.IsObject()) bad(ap, "expected an object {host, port}", &arg);
            only_keys(arg, ap, {"host", "port"});
            address_template(st.connect_host, arg, ap, "host", s_.host.c_str());
            address_template(st.connect_port, arg, ap, "port", std::to_string(s_.port).c_str());
        } else if (k == "on" || k == "waitPush") {
            st.kind = k == "on" ? Step::Kind::on : Step::Kind::wait_push;
            if (k == "on")
                only_keys(v, st.path,
                          {kind, "latencyField", "save", "forget", "when", "assign", "onlyUsers", "ifSet", "ifUnset"});
            else
                only_keys(v, st.path, {kind, "timeoutMs", "onlyUsers", "ifSet", "ifUnset"});
            saves(v, st);
            saves(v, st, "forget");
            if (const Value *w = member(v, "when")) {
                if (!w->IsObject()) bad(st.path + ".when", "expected an object {\"field.path\": VALUE}", w);
                for (auto &e : w->GetObject()) {
                    Template t;
                    json_template(t, e.value, st.path + ".when." + e.name.GetString());
                    st.whens.emplace_back(field_path(e.name.GetString()), std::move(t));
                }
            }
            if (const Value *a = member(v, "assign")) assignments(*a, st.path + ".assign", st.assigns);
            if (!arg.IsString() || arg.GetStringLength() == 0) bad(ap, "expected a route string", &arg);
            st.push_route = arg.GetString();
            st.latency_field = get_string(v, st.path, "latencyField", s_.push_timestamp_field);
            st.timeout_ms = uint32_t(get_uint(v, st.path, "timeoutMs", 10000, 1, 3600000));
        } else if (k == "sleep") {
            st.kind = Step::Kind::sleep;
            only_keys(v, st.path, {kind, "onlyUsers", "ifSet", "ifUnset"});
            delay(arg, ap, st.delay);
        } else if (k == "loop") {
            st.kind = Step::Kind::loop;
            only_keys(v, st.path, {kind, "onlyUsers", "ifSet", "ifUnset"});
            if (!arg.IsObject()) bad(ap, "expected an object {count, inFlight, steps}", &arg);
            only_keys(arg, ap, {"count", "inFlight", "steps"});
            st.count = get_uint(arg, ap, "count", 0, 0, UINT64_MAX);
            st.in_flight = unsigned(get_uint(arg, ap, "inFlight", 1, 1, 100000));
            const Value *inner = member(arg, "steps");
            if (!inner) bad(ap + ".steps", "missing (the steps to repeat)");
            steps(*inner, ap + ".steps", st.steps);
            if (st.steps.empty()) bad(ap + ".steps", "expected at least one step");
        } else if (k == "rate") {
            st.kind = Step::Kind::rate;
            only_keys(v, st.path, {kind, "onlyUsers"});
            rate(arg, ap, st);
        } else {
            st.kind = Step::Kind::disconnect;
            only_keys(v, st.path, {kind, "onlyUsers"});
            if (!arg.IsBool() || !arg.GetBool()) bad(ap, "expected true", &arg);
        }
    }

    void delay(const Value &v, const std::string &p, Delay &d) {
        if (v.IsNumber()) {
            if (v.GetDouble() < 0) bad(p, "expected milliseconds >= 0", &v);
            d.a = v.GetDouble();
            return;
        }
        if (!v.IsObject())
            bad(p, "expected milliseconds, or {\"constant\": MS} / {\"uniform\": [MIN, MAX]} / {\"exponential\": MEAN}",
                &v);
        only_keys(v, p, {"constant", "uniform", "exponential"});
        if (v.MemberCount() != 1) bad(p, "expected exactly one of constant, uniform, exponential", &v);
        if (const Value *c = member(v, "constant")) {
            d.dist = Delay::Dist::constant;
            d.a = get_number(v, p, "constant", 0, 0, 1e9);
            (void)c;
        } else if (const Value *e = member(v, "exponential")) {
            d.dist = Delay::Dist::exponential;
            d.a = get_number(v, p, "exponential", 0, 0, 1e9);
            (void)e;
        } else {
            const Value &u = *member(v, "uniform");
            if (!u.IsArray() || u.Size() != 2 || !u[0].IsNumber() || !u[1].IsNumber() || u[0].GetDouble() < 0 ||
                u[0].GetDouble() > u[1].GetDouble())
                bad(p + ".uniform", "expected [MIN, MAX] milliseconds with 0 <= MIN <= MAX", &u);
            d.dist = Delay::Dist::uniform;
            d.a = u[0].GetDouble(), d.b = u[1].GetDouble();
        }
    }

    void rate(const Value &v, const std::string &p, Step &st) {
        if (!v.IsObject()) bad(p, "expected an object", &v);
        if (s_.has_rate) bad(p, "only one rate step is allowed in a scenario");
        only_keys(v, p,
                  {"request", "notify", "body", "start", "factor", "stepSeconds", "maxRate", "retries", "stopWhen"});
        const Value *req = member(v, "request");
        const Value *note = member(v, "notify");
        if (!!req == !!note) bad(p, "expected exactly one of \"request\" or \"notify\" (the route to send)");
        const Value &route = req ? *req : *note;
        std::string rp = p + (req ? ".request" : ".notify");
        if (!route.IsString() || route.GetStringLength() == 0) bad(rp, "expected a route string", &route);
        text_template(st.route, route.GetString(), rp);
        st.rate_notify = note != nullptr;
        body(v, st);
        // body() reports errors under the step path; the rate body sits one level deeper.
        RateSpec &r = st.rate;
        r.start = get_number(v, p, "start", r.start, 0.001, 1e9);
        r.factor = get_number(v, p, "factor", r.factor, 1, 1000);
        r.step_seconds = unsigned(get_uint(v, p, "stepSeconds", r.step_seconds, 1, 86400));
        r.max_rate = get_number(v, p, "maxRate", r.max_rate, r.start, 1e9);
        r.retries = unsigned(get_uint(v, p, "retries", r.retries, 0, 100));
        if (const Value *w = member(v, "stopWhen")) {
            std::string wp = p + ".stopWhen";
            if (!w->IsObject()) bad(wp, "expected an object", w);
            only_keys(*w, wp, {"pushP99Ms", "requestP99Ms", "errorRatio"});
            r.stop_push_p99_ms = get_number(*w, wp, "pushP99Ms", 0, 0, 1e9);
            r.stop_request_p99_ms = get_number(*w, wp, "requestP99Ms", 0, 0, 1e9);
            r.stop_error_ratio = get_number(*w, wp, "errorRatio", 0, 0, 1);
        }
        s_.has_rate = true;
        s_.rate = r;
    }

    Scenario &s_;
    Template::Vars vars_;
    Template::UserVars user_vars_;
};

void set_member(rapidjson::Document &d, rapidjson::Value &obj, const char *key, rapidjson::Value v) {
    auto it = obj.FindMember(key);
    if (it != obj.MemberEnd())
        it->value = v;
    else
        obj.AddMember(rapidjson::Value(key, d.GetAllocator()), v, d.GetAllocator());
}

void apply(rapidjson::Document &d, const Overrides &o) {
    auto &a = d.GetAllocator();
    if (o.host || o.port || o.transport) {
        auto it = d.FindMember("server");
        if (it == d.MemberEnd()) {
            d.AddMember("server", rapidjson::Value(rapidjson::kObjectType), a);
            it = d.FindMember("server");
        }
        // A bad "server" value is reported by the parser; only an object can take overrides.
        if (it->value.IsObject()) {
            if (o.host) set_member(d, it->value, "host", rapidjson::Value(o.host->c_str(), a));
            if (o.transport) set_member(d, it->value, "transport", rapidjson::Value(o.transport->c_str(), a));
            if (o.port) set_member(d, it->value, "port", rapidjson::Value(*o.port));
        }
    }
    if (o.users) set_member(d, d, "users", rapidjson::Value(*o.users));
    if (o.threads) set_member(d, d, "threads", rapidjson::Value(*o.threads));
    if (o.duration) set_member(d, d, "durationSeconds", rapidjson::Value(*o.duration));
    if (o.ramp) set_member(d, d, "rampPerSecond", rapidjson::Value(*o.ramp));
}

}  // namespace

bool parse_scenario(std::string_view text, const std::string &file, const Overrides &overrides, Scenario &out,
                    std::string *error) {
    const std::string where = file.empty() ? "scenario" : file;
    rapidjson::Document d;
    d.Parse(text.data(), text.size());
    if (d.HasParseError()) {
        // Line and column of the offset, for a human reading the file.
        size_t off = d.GetErrorOffset(), line = 1, col = 1;
        for (size_t i = 0; i < off && i < text.size(); ++i) {
            if (text[i] == '\n')
                ++line, col = 1;
            else
                ++col;
        }
        if (error)
            *error = where + ":" + std::to_string(line) + ":" + std::to_string(col) +
                     ": not valid JSON: " + rapidjson::GetParseError_En(d.GetParseError());
        return false;
    }
    if (d.IsObject()) apply(d, overrides);
    Scenario s;
    s.file = file;
    try {
        Parser(s).top(d);
    } catch (const BadKey &e) {
        if (error) *error = where + ": " + e.what();
        return false;
    }
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    d.Accept(w);
    s.json.assign(buf.GetString(), buf.GetSize());
    out = std::move(s);
    return true;
}

bool load_scenario_file(const std::string &file, const Overrides &overrides, Scenario &out, std::string *error) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (error) *error = file + ": cannot open the scenario file";
        return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_scenario(ss.str(), file, overrides, out, error);
}

}  // namespace shd::robot
