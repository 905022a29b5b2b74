#include <shaddock/bt/description.hpp>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace shd::bt {

namespace {

using Value = rapidjson::Value;

// Deep enough for any tree a person writes; stops a hostile file from exhausting the stack.
constexpr int kMaxDepth = 64;

class Reader {
public:
    explicit Reader(std::string_view source) : source_(source) {}

    Description node(const Value &v, const std::string &at, int depth) {
        if (depth > kMaxDepth) fail(at, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
        if (!v.IsObject()) fail(at, "expected a node (an object with \"type\")");
        Description d;
        d.where = std::string(source_) + ": " + (at.empty() ? "/" : at);
        const std::string type = string(v, "type", at, true);
        if (type == "sequence" || type == "select" || type == "parallel") {
            d.type = type == "sequence" ? Description::Type::sequence
                     : type == "select" ? Description::Type::select
                                        : Description::Type::parallel;
            allow(v, at,
                  type == "parallel" ? std::initializer_list<const char *>{"type", "children", "policy"}
                                     : std::initializer_list<const char *>{"type", "children"});
            auto it = v.FindMember("children");
            if (it == v.MemberEnd()) fail(at + "/children", "missing (an array of nodes)");
            if (!it->value.IsArray()) fail(at + "/children", "expected an array of nodes");
            for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
                d.children.push_back(node(it->value[i], at + "/children/" + std::to_string(i), depth + 1));
            }
            if (d.type == Description::Type::parallel && v.HasMember("policy")) {
                const std::string policy = string(v, "policy", at, true);
                if (policy == "failOnOne")
                    d.policy = Parallel::Policy::fail_on_one;
                else if (policy == "failOnAll")
                    d.policy = Parallel::Policy::fail_on_all;
                else
                    fail(at + "/policy", "expected \"failOnOne\" or \"failOnAll\", got \"" + policy + "\"");
            }
        } else if (type == "condition") {
            d.type = Description::Type::condition;
            allow(v, at, {"type", "cond"});
            d.cond = string(v, "cond", at, true);
        } else if (type == "if") {
            d.type = Description::Type::if_;
            allow(v, at, {"type", "cond", "action"});
            d.cond = string(v, "cond", at, true);
            d.children.push_back(child(v, "action", at, depth));
        } else if (type == "loop") {
            d.type = Description::Type::loop;
            allow(v, at, {"type", "child", "loopCond"});
            d.cond = string(v, "loopCond", at, false);
            d.children.push_back(child(v, "child", at, depth));
        } else if (type == "action") {
            d.type = Description::Type::action;
            allow(v, at, {"type", "name", "args"});
            d.name = string(v, "name", at, true);
            d.args = args(v, at);
        } else if (type == "decorator") {
            d.type = Description::Type::decorator;
            allow(v, at, {"type", "name", "child", "args"});
            d.name = string(v, "name", at, true);
            d.args = args(v, at);
            d.children.push_back(child(v, "child", at, depth));
        } else {
            fail(at + "/type",
                 "unknown node type \"" + type +
                     "\" (expected sequence, select, parallel, condition, if, loop, action or decorator)");
        }
        return d;
    }

private:
    [[noreturn]] void fail(const std::string &at, const std::string &what) const {
        throw DescriptionError(std::string(source_) + ": " + (at.empty() ? "/" : at) + ": " + what);
    }

    void allow(const Value &v, const std::string &at, std::initializer_list<const char *> keys) const {
        for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
            const std::string_view key(it->name.GetString(), it->name.GetStringLength());
            bool known = false;
            for (const char *k : keys) known |= key == k;
            if (!known) {
                std::string list;
                for (const char *k : keys) list += std::string(list.empty() ? "" : ", ") + k;
                fail(at + "/" + std::string(key), "unknown key for this node type (it takes " + list + ")");
            }
        }
    }

    std::string string(const Value &v, const char *key, const std::string &at, bool required) const {
        auto it = v.FindMember(key);
        if (it == v.MemberEnd()) {
            if (required) fail(at + "/" + key, "missing");
            return {};
        }
        if (!it->value.IsString() || it->value.GetStringLength() == 0) {
            fail(at + "/" + key, "expected a non-empty string");
        }
        return std::string(it->value.GetString(), it->value.GetStringLength());
    }

    Description child(const Value &v, const char *key, const std::string &at, int depth) {
        auto it = v.FindMember(key);
        if (it == v.MemberEnd()) fail(at + "/" + key, "missing (a node)");
        return node(it->value, at + "/" + key, depth + 1);
    }

    Args args(const Value &v, const std::string &at) const {
        Args out;
        auto it = v.FindMember("args");
        if (it == v.MemberEnd()) return out;
        if (!it->value.IsObject()) fail(at + "/args", "expected an object");
        for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m) {
            const std::string name(m->name.GetString(), m->name.GetStringLength());
            if (m->value.IsString()) {
                out.set(name, std::string(m->value.GetString(), m->value.GetStringLength()));
            } else if (m->value.IsNumber() || m->value.IsBool()) {
                rapidjson::StringBuffer text;
                rapidjson::Writer<rapidjson::StringBuffer> writer(text);
                m->value.Accept(writer);
                out.set(name, text.GetString());
            } else {
                fail(at + "/args/" + name, "expected a string, number or boolean");
            }
        }
        return out;
    }

    std::string_view source_;
};

[[noreturn]] void unknown(const Description &d, const char *what, const std::string &name) {
    throw DescriptionError(d.where + ": unknown " + what + " \"" + name + "\"");
}

}  // namespace

std::string Args::text(const std::string &name, const std::string &fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

double Args::number(const std::string &name, double fallback) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    const char *begin = it->second.c_str();
    char *end = nullptr;
    const double value = std::strtod(begin, &end);
    if (it->second.empty() || end != begin + it->second.size()) {
        throw std::invalid_argument("bt: argument \"" + name + "\" is \"" + it->second + "\", not a number");
    }
    return value;
}

const char *to_string(Description::Type type) {
    switch (type) {
        case Description::Type::sequence: return "sequence";
        case Description::Type::select: return "select";
        case Description::Type::parallel: return "parallel";
        case Description::Type::condition: return "condition";
        case Description::Type::if_: return "if";
        case Description::Type::loop: return "loop";
        case Description::Type::action: return "action";
        case Description::Type::decorator: return "decorator";
    }
    return "unknown";
}

Description parse_description(std::string_view json, std::string_view source) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseStopWhenDoneFlag>(json.data(), json.size());
    if (doc.HasParseError()) {
        throw DescriptionError(std::string(source) + ": not JSON at offset " + std::to_string(doc.GetErrorOffset()) +
                               ": " + rapidjson::GetParseError_En(doc.GetParseError()));
    }
    return Reader(source).node(doc, "", 0);
}

Description load_description(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DescriptionError(path + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_description(text.str(), path);
}

NodePtr build(const Description &d, Binder &binder) {
    switch (d.type) {
        case Description::Type::sequence:
        case Description::Type::select:
        case Description::Type::parallel: {
            std::unique_ptr<Composite> node;
            if (d.type == Description::Type::sequence)
                node = std::make_unique<Sequence>();
            else if (d.type == Description::Type::select)
                node = std::make_unique<Select>();
            else
                node = std::make_unique<Parallel>(d.policy);
            for (const Description &c : d.children) node->add_child(build(c, binder));
            return node;
        }
        case Description::Type::condition: {
            auto cond = binder.condition(d.cond);
            if (!cond) unknown(d, "condition", d.cond);
            return std::make_unique<Condition>(std::move(cond));
        }
        case Description::Type::if_: {
            auto cond = binder.condition(d.cond);
            if (!cond) unknown(d, "condition", d.cond);
            return std::make_unique<If>(std::move(cond), build(d.children.at(0), binder));
        }
        case Description::Type::loop: {
            std::function<bool()> cond;
            if (!d.cond.empty()) {
                cond = binder.condition(d.cond);
                if (!cond) unknown(d, "condition", d.cond);
            }
            return std::make_unique<Loop>(build(d.children.at(0), binder), std::move(cond));
        }
        case Description::Type::action: {
            NodePtr node = binder.action(d.name, d.args);
            if (!node) unknown(d, "action", d.name);
            return node;
        }
        case Description::Type::decorator: {
            std::unique_ptr<Decorator> node = binder.decorator(d.name, d.args);
            if (!node) unknown(d, "decorator", d.name);
            node->set_child(build(d.children.at(0), binder));
            return node;
        }
    }
    throw DescriptionError(d.where + ": unknown node type");
}

}  // namespace shd::bt
