// body_template.cpp - compiling and expanding ${...} templates (syntax in body_template.hpp).
#include "body_template.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
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
        if (name.find('+') != std::string_view::npos) {
            // A sum: every term must be a number at expansion time.
            p.kind = Kind::sum;
            size_t start = 0;
            for (;;) {
                size_t plus = name.find('+', start);
                std::string_view term = name.substr(start, plus == std::string_view::npos ? name.npos : plus - start);
                Part t;
                if (!parse_term(term, vars, t, error)) return false;
                p.terms.push_back(std::move(t));
                if (plus == std::string_view::npos) break;
                start = plus + 1;
            }
        } else if (name == "index")
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
            if (!parse_term(name, vars, p, error)) return false;
            p.place = place;
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
        } else if (user_ && user_->count(name)) {
            p.kind = Kind::user_var;
            p.text = std::string(name);
        } else {
            return fail("unknown placeholder ${" + std::string(name) +
                        "} (known: index, uid, seq, users, thread, now_us, now_ms, rand:LO:HI, A+B, a name from "
                        "\"vars\" or a variable saved by \"save\" or \"set\")");
        }
        parts_.push_back(std::move(p));
        i = close + 1;
    }
    return true;
}

bool Template::parse_term(std::string_view name, const Vars &vars, Part &out, std::string *error) const {
    auto fail = [&](const std::string &why) {
        if (error) *error = why;
        return false;
    };
    int64_t n = 0;
    if (parse_int(name, n)) {
        out.kind = Kind::literal;
        out.text = std::string(name);
        return true;
    }
    if (name.substr(0, 5) == "rand:") {
        std::string_view args = name.substr(5);
        size_t colon = args.find(':');
        if (colon == std::string_view::npos || !parse_int(args.substr(0, colon), out.lo) ||
            !parse_int(args.substr(colon + 1), out.hi) || out.lo > out.hi)
            return fail("bad placeholder ${" + std::string(name) + "}: expected ${rand:LO:HI} with integers LO <= HI");
        out.kind = Kind::rand;
        return true;
    }
    if (auto it = vars.find(std::string(name)); it != vars.end()) {
        if (it->second.empty() || it->second[0] == '"')
            return fail("the term " + std::string(name) + " of a sum is a string constant: expected a number");
        out.kind = Kind::literal;
        out.text = it->second;
        return true;
    }
    if (user_ && user_->count(name)) {
        out.kind = Kind::user_var;
        out.text = std::string(name);
        return true;
    }
    return fail("bad term \"" + std::string(name) +
                "\" in a sum: expected an integer, rand:LO:HI, a number from \"vars\" or a saved variable");
}

bool Template::compile_text(std::string_view text, const Vars &vars, std::string *error, const UserVars *user) {
    parts_.clear();
    user_ = user;
    bool ok = parse_string(text, Place::text, vars, error);
    user_ = nullptr;
    return ok;
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

bool Template::compile_json(const rapidjson::Value &value, const Vars &vars, std::string *error,
                            const UserVars *user) {
    parts_.clear();
    user_ = user;
    bool ok = compile_value(value, vars, error);
    user_ = nullptr;
    return ok;
}

std::string Template::expand(const TemplateContext &ctx) const {
    std::string out;
    expand_into(ctx, out);
    return out;
}

double Template::term_value(const Part &p, const TemplateContext &ctx) {
    switch (p.kind) {
        case Kind::literal: return std::strtod(p.text.c_str(), nullptr);
        case Kind::rand:
            return double(ctx.rng ? std::uniform_int_distribution<int64_t>(p.lo, p.hi)(*ctx.rng) : p.lo);
        case Kind::user_var: {
            if (!ctx.user_vars) return 0;
            auto it = ctx.user_vars->find(p.text);
            if (it == ctx.user_vars->end()) return 0;
            const std::string &v = it->second;
            return std::strtod(v.c_str() + (!v.empty() && v[0] == '"' ? 1 : 0), nullptr);
        }
        default: return 0;
    }
}

void Template::expand_part(const Part &p, const TemplateContext &ctx, std::string &out) const {
    char num[32];
    auto put_int = [&](int64_t v) {
        auto [end, ec] = std::to_chars(num, num + sizeof num, v);
        (void)ec;
        out.append(num, size_t(end - num));
    };
    switch (p.kind) {
        case Kind::literal: out += p.text; break;
        case Kind::index: put_int(int64_t(ctx.index)); break;
        case Kind::seq: put_int(int64_t(ctx.seq)); break;
        case Kind::users: put_int(int64_t(ctx.users)); break;
        case Kind::thread: put_int(ctx.thread); break;
        case Kind::now_us: put_int(realtime_us()); break;
        case Kind::now_ms: put_int(realtime_us() / 1000); break;
        case Kind::rand: put_int(int64_t(term_value(p, ctx))); break;
        case Kind::sum: {
            double total = 0;
            for (const Part &t : p.terms) total += term_value(t, ctx);
            // Whole numbers print as integers (coordinates, ids); others with full precision.
            if (std::fabs(total) < 9e15 && total == std::floor(total)) {
                put_int(int64_t(total));
            } else {
                auto [end, ec] = std::to_chars(num, num + sizeof num, total);
                (void)ec;
                out.append(num, size_t(end - num));
            }
            break;
        }
        case Kind::user_var: {
            const std::string *v = nullptr;
            if (ctx.user_vars) {
                auto it = ctx.user_vars->find(p.text);
                if (it != ctx.user_vars->end()) v = &it->second;
            }
            bool is_string = v && !v->empty() && (*v)[0] == '"';
            if (p.place == Place::json_bare) {
                out += v ? *v : std::string("null");
            } else if (!v || *v == "null") {
            } else if (!is_string) {
                out += *v;
            } else if (p.place == Place::json_in_string) {
                out.append(*v, 1, v->size() - 2);
            } else {
                rapidjson::Document d;
                d.Parse(v->data(), v->size());
                if (d.IsString()) out.append(d.GetString(), d.GetStringLength());
            }
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

void Template::expand_into(const TemplateContext &ctx, std::string &out) const {
    for (const Part &p : parts_) expand_part(p, ctx, out);
}

}  // namespace shd::robot
