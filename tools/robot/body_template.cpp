// body_template.cpp - compiling and expanding ${...} templates (syntax in body_template.hpp).
#include "body_template.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <chrono>
#include <ctime>

namespace shd::robot {

namespace {

std::string json_text(const rapidjson::Value &v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

// JSON string escaping without the surrounding quotes.
void append_escaped(std::string &out, std::string_view s) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.String(s.data(), rapidjson::SizeType(s.size()));
    out.append(buf.GetString() + 1, buf.GetSize() - 2);
}

bool parse_int(std::string_view s, int64_t &out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

int64_t realtime_us() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace

void Template::literal(std::string_view s) {
    if (s.empty()) return;
    if (!parts_.empty() && parts_.back().kind == Kind::literal) {
        parts_.back().text.append(s);
        return;
    }
    Part p;
    p.text = std::string(s);
    parts_.push_back(std::move(p));
}

bool Template::parse_string(std::string_view s, Place place, const Vars &vars, std::string *error) {
    auto fail = [&](const std::string &why) {
        if (error) *error = why;
        return false;
    };
    size_t i = 0;
    while (i < s.size()) {
        size_t dollar = s.find('$', i);
        if (dollar == std::string_view::npos) dollar = s.size();
        std::string pending(s.substr(i, dollar - i));
        if (place == Place::json_in_string) {
            std::string esc;
            append_escaped(esc, pending);
            literal(esc);
        } else {
            literal(pending);
        }
        if (dollar == s.size()) break;
        if (dollar + 1 < s.size() && s[dollar + 1] == '$') {
            literal("$");
            i = dollar + 2;
            continue;
        }
        if (dollar + 1 >= s.size() || s[dollar + 1] != '{') {
            literal("$");
            i = dollar + 1;
            continue;
        }
        size_t close = s.find('}', dollar + 2);
        if (close == std::string_view::npos)
            return fail("unterminated placeholder \"" + std::string(s.substr(dollar)) + "\"");
        std::string_view name = s.substr(dollar + 2, close - dollar - 2);
        Part p;
        p.place = place;
        if (name == "index")
            p.kind = Kind::index;
        else if (name == "seq")
            p.kind = Kind::seq;
        else if (name == "users")
            p.kind = Kind::users;
        else if (name == "thread")
            p.kind = Kind::thread;
        else if (name == "uid")
            p.kind = Kind::uid;
        else if (name == "now_us")
            p.kind = Kind::now_us;
        else if (name == "now_ms")
            p.kind = Kind::now_ms;
        else if (name.substr(0, 5) == "rand:") {
            std::string_view args = name.substr(5);
            size_t colon = args.find(':');
            if (colon == std::string_view::npos || !parse_int(args.substr(0, colon), p.lo) ||
                !parse_int(args.substr(colon + 1), p.hi) || p.lo > p.hi)
                return fail("bad placeholder ${" + std::string(name) +
                            "}: expected ${rand:LO:HI} with integers LO <= HI");
            p.kind = Kind::rand;
        } else if (auto it = vars.find(std::string(name)); it != vars.end()) {
            // A constant is known now: splice it in as literal text of the right form.
            const std::string &json = it->second;
            bool is_string = !json.empty() && json[0] == '"';
            if (place == Place::json_bare || !is_string) {
                literal(json);
            } else if (place == Place::json_in_string) {
                literal(std::string_view(json).substr(1, json.size() - 2));
            } else {
                rapidjson::Document d;
                d.Parse(json.data(), json.size());
                literal(std::string_view(d.GetString(), d.GetStringLength()));
            }
            i = close + 1;
            continue;
        } else {
            return fail(
                "unknown placeholder ${" + std::string(name) +
                "} (known: index, uid, seq, users, thread, now_us, now_ms, rand:LO:HI, or a name from \"vars\")");
        }
        parts_.push_back(std::move(p));
        i = close + 1;
    }
    return true;
}

bool Template::compile_text(std::string_view text, const Vars &vars, std::string *error) {
    parts_.clear();
    return parse_string(text, Place::text, vars, error);
}

bool Template::compile_value(const rapidjson::Value &v, const Vars &vars, std::string *error) {
    if (v.IsString()) {
        std::string_view s(v.GetString(), v.GetStringLength());
        // Exactly one placeholder: the bare value (a number stays a number).
        if (s.size() > 3 && s.substr(0, 2) == "${" && s.back() == '}' && s.find('}') == s.size() - 1)
            return parse_string(s, Place::json_bare, vars, error);
        literal("\"");
        if (!parse_string(s, Place::json_in_string, vars, error)) return false;
        literal("\"");
        return true;
    }
    if (v.IsObject()) {
        literal("{");
        bool first = true;
        for (auto &m : v.GetObject()) {
            if (!first) literal(",");
            first = false;
            literal(json_text(m.name));
            literal(":");
            if (!compile_value(m.value, vars, error)) return false;
        }
        literal("}");
        return true;
    }
    if (v.IsArray()) {
        literal("[");
        bool first = true;
        for (auto &e : v.GetArray()) {
            if (!first) literal(",");
            first = false;
            if (!compile_value(e, vars, error)) return false;
        }
        literal("]");
        return true;
    }
    literal(json_text(v));
    return true;
}

bool Template::compile_json(const rapidjson::Value &value, const Vars &vars, std::string *error) {
    parts_.clear();
    return compile_value(value, vars, error);
}

std::string Template::expand(const TemplateContext &ctx) const {
    std::string out;
    expand_into(ctx, out);
    return out;
}

void Template::expand_into(const TemplateContext &ctx, std::string &out) const {
    char num[24];
    auto put_int = [&](int64_t v) {
        auto [end, ec] = std::to_chars(num, num + sizeof num, v);
        (void)ec;
        out.append(num, size_t(end - num));
    };
    for (const Part &p : parts_) {
        switch (p.kind) {
            case Kind::literal: out += p.text; break;
            case Kind::index: put_int(int64_t(ctx.index)); break;
            case Kind::seq: put_int(int64_t(ctx.seq)); break;
            case Kind::users: put_int(int64_t(ctx.users)); break;
            case Kind::thread: put_int(ctx.thread); break;
            case Kind::now_us: put_int(realtime_us()); break;
            case Kind::now_ms: put_int(realtime_us() / 1000); break;
            case Kind::rand: {
                int64_t v = p.lo;
                if (ctx.rng) v = std::uniform_int_distribution<int64_t>(p.lo, p.hi)(*ctx.rng);
                put_int(v);
                break;
            }
            case Kind::uid:
                if (p.place == Place::json_bare) {
                    out += '"';
                    append_escaped(out, ctx.uid);
                    out += '"';
                } else if (p.place == Place::json_in_string) {
                    append_escaped(out, ctx.uid);
                } else {
                    out += ctx.uid;
                }
                break;
        }
    }
}

}  // namespace shd::robot
