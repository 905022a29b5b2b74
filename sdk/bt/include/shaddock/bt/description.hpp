// Trees described in JSON, loaded at start and built per owner (each mob gets its own nodes, bound
// to its own blackboard, from one description). The format (docs/bt.md has a worked example):
//
//   {"type": "sequence", "children": [<node>, ...]}
//   {"type": "select",   "children": [<node>, ...]}
//   {"type": "parallel", "children": [<node>, ...], "policy": "failOnOne" | "failOnAll"}   default failOnOne
//   {"type": "condition", "cond": "<condition name>"}
//   {"type": "if",   "cond": "<condition name>", "action": <node>}
//   {"type": "loop", "child": <node>, "loopCond": "<condition name>"}                        loopCond optional
//   {"type": "action",    "name": "<action name>", "args": {...}}                            args optional
//   {"type": "decorator", "name": "<decorator name>", "child": <node>, "args": {...}}        args optional
//
// Names are resolved when a tree is built (Library, library.hpp). args is an object of strings,
// numbers and booleans, handed to the action's or decorator's factory. Any other key, a missing
// one, or a value of the wrong kind is an error naming the file and the place (a JSON pointer).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <shaddock/bt/node.hpp>

namespace shd::bt {

class DescriptionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An action's or decorator's "args": name -> value, a string as it is, a number or boolean as its
// JSON text.
class Args {
public:
    bool has(const std::string &name) const { return values_.count(name) != 0; }
    // The value, or `fallback` when absent.
    std::string text(const std::string &name, const std::string &fallback = {}) const;
    // The value as a number, or `fallback` when absent; throws std::invalid_argument when it is not
    // a number.
    double number(const std::string &name, double fallback) const;
    const std::map<std::string, std::string> &values() const { return values_; }
    void set(const std::string &name, std::string value) { values_[name] = std::move(value); }

private:
    std::map<std::string, std::string> values_;
};

struct Description {
    enum class Type { sequence, select, parallel, condition, if_, loop, action, decorator };

    Type type = Type::sequence;
    std::string name;  // action, decorator: the factory's name
    std::string cond;  // condition, if: the condition; loop: the loop condition (empty: none)
    Parallel::Policy policy = Parallel::Policy::fail_on_one;
    Args args;
    // sequence, select, parallel: the children; if: {action}; loop, decorator: {child}.
    std::vector<Description> children;
    std::string where;  // "<source>: <JSON pointer>", for errors found when building
};

const char *to_string(Description::Type type);

// Parses a description; `source` names it in errors. Throws DescriptionError.
Description parse_description(std::string_view json, std::string_view source);
// Reads and parses a file. Throws DescriptionError (also when the file cannot be read).
Description load_description(const std::string &path);

// What a description's names stand for; Library (library.hpp) is the usual one.
class Binder {
public:
    virtual ~Binder() = default;
    // An empty function / nullptr: no such name.
    virtual std::function<bool()> condition(const std::string &name) = 0;
    virtual NodePtr action(const std::string &name, const Args &args) = 0;
    virtual std::unique_ptr<Decorator> decorator(const std::string &name, const Args &args) = 0;
};

// Builds the nodes of a description. Throws DescriptionError naming the place of an unknown name.
NodePtr build(const Description &description, Binder &binder);

}  // namespace shd::bt
