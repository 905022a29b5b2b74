// body_template.hpp - routes and bodies with ${...} placeholders, compiled once when the scenario is
// read and expanded per message without parsing.
//
// Syntax (docs/robot.md has the reference):
//   ${index}  the user's index (0 .. users-1, global across agents)   ${uid}     the user's uid
//   ${seq}    messages this user has sent so far                       ${users}   total user count
//   ${now_us} ${now_ms}  wall clock (CLOCK_REALTIME) in micro/milliseconds
//   ${rand:LO:HI}  a uniform random integer in [LO, HI]              ${thread}  the loop thread
//   ${NAME}   a constant from the scenario's "vars", or a per-user variable (saved from a reply
//             or push, or set by a "set" step)                         $$  a literal "$"
//   ${A+B+..} a sum of terms: integers, ${rand:..} terms, constants or user variables (numbers)
// In a JSON body, a string that is exactly one placeholder becomes the bare value ({"ts":"${now_us}"}
// sends {"ts":1712345678901234}); inside a longer string the value is spliced in as text.
#pragma once

#include <rapidjson/fwd.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace shd::robot {

struct TemplateContext {
    uint64_t index = 0;
    uint64_t seq = 0;
    uint64_t users = 0;
    unsigned thread = 0;
    std::string_view uid;
    std::mt19937_64 *rng = nullptr;  // needed by ${rand:..}; 0 is used when null
    // The user's variables: name -> JSON text. Unset: null (bare) or "" (in a string).
    const std::map<std::string, std::string, std::less<>> *user_vars = nullptr;
};

class Template {
public:
    // Constants from "vars": name -> JSON text of a string or number.
    using Vars = std::map<std::string, std::string>;
    // Names of per-user variables (from "save" and "set"), looked up when expanding.
    using UserVars = std::set<std::string, std::less<>>;

    // A plain text template (a route, a uid). False with *error describing the bad placeholder.
    bool compile_text(std::string_view text, const Vars &vars, std::string *error, const UserVars *user = nullptr);
    // A JSON value whose strings may hold placeholders; the expansion is JSON text.
    bool compile_json(const rapidjson::Value &value, const Vars &vars, std::string *error,
                      const UserVars *user = nullptr);

    std::string expand(const TemplateContext &ctx) const;
    void expand_into(const TemplateContext &ctx, std::string &out) const;
    // True when the template has no placeholder (expand() always gives the same text).
    bool is_constant() const { return parts_.size() <= 1 && (parts_.empty() || parts_[0].kind == Kind::literal); }

private:
    enum class Kind { literal, index, seq, users, thread, uid, now_us, now_ms, rand, user_var, sum };
    enum class Place { text, json_bare, json_in_string };
    struct Part {
        Kind kind = Kind::literal;
        Place place = Place::text;
        std::string text;        // literal text
        int64_t lo = 0, hi = 0;  // rand bounds
        std::vector<Part> terms;  // sum: the terms (literal text = a number, rand, user_var)
    };
    bool parse_term(std::string_view name, const Vars &vars, Part &out, std::string *error) const;
    void expand_part(const Part &p, const TemplateContext &ctx, std::string &out) const;
    static double term_value(const Part &p, const TemplateContext &ctx);
    bool parse_string(std::string_view s, Place in_place, const Vars &vars, std::string *error);
    bool compile_value(const rapidjson::Value &v, const Vars &vars, std::string *error);
    void literal(std::string_view s);
    std::vector<Part> parts_;
    const UserVars *user_ = nullptr;  // during compilation only
};

}  // namespace shd::robot
