// The names a JSON description may use, bound to a blackboard type: conditions (pomelo-bt's
// cond(blackboard)), actions and decorators (factories that make a node for one owner).
//
//   struct Mob { ... };
//   shd::bt::Library<Mob> brains;
//   brains.condition("hasTarget", [](Mob &m) { return m.target != 0; })
//         .action("patrol", [](Mob &m, const shd::bt::Args &) { return std::make_unique<Patrol>(m); })
//         .leaf("rest", [](Mob &m) { return m.rest(); });
//   shd::bt::Description tiger = shd::bt::load_description("config/ai/tiger.json");
//   brains.check(tiger);                 // at start: every name is known (throws otherwise)
//   shd::bt::Tree brain(brains.build(tiger, mob));   // per mob
//
// A Library is filled at start and then only read: build() may run on any thread, but the nodes it
// makes belong to the thread that ticks them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <shaddock/bt/description.hpp>
#include <shaddock/bt/node.hpp>

namespace shd::bt {

template <class Blackboard>
class Library {
public:
    using ConditionFn = std::function<bool(Blackboard &)>;
    using ActionFactory = std::function<NodePtr(Blackboard &, const Args &)>;
    using LeafFn = std::function<Result(Blackboard &)>;
    using DecoratorFactory = std::function<std::unique_ptr<Decorator>(Blackboard &, const Args &)>;

    Library &condition(std::string name, ConditionFn fn) {
        conditions_[std::move(name)] = std::move(fn);
        return *this;
    }
    Library &action(std::string name, ActionFactory factory) {
        actions_[std::move(name)] = std::move(factory);
        return *this;
    }
    // An action that is one function of the blackboard (an Action node per owner).
    Library &leaf(std::string name, LeafFn fn) {
        return action(std::move(name), [fn = std::move(fn)](Blackboard &bb, const Args &) -> NodePtr {
            return std::make_unique<Action>([fn, &bb] { return fn(bb); });
        });
    }
    Library &decorator(std::string name, DecoratorFactory factory) {
        decorators_[std::move(name)] = std::move(factory);
        return *this;
    }

    // The nodes of `description` for the owner of `blackboard`, which must outlive them.
    NodePtr build(const Description &description, Blackboard &blackboard) const {
        Bound bound(*this, &blackboard);
        return shd::bt::build(description, bound);
    }

    // Throws DescriptionError at the first name the library does not have.
    void check(const Description &description) const {
        Bound bound(*this, nullptr);
        check_names(description, bound);
    }

private:
    class Bound : public Binder {
    public:
        Bound(const Library &library, Blackboard *bb) : library_(library), bb_(bb) {}
        std::function<bool()> condition(const std::string &name) override {
            auto it = library_.conditions_.find(name);
            if (it == library_.conditions_.end()) return {};
            if (!bb_) return [] { return false; };
            return [fn = it->second, bb = bb_] { return fn(*bb); };
        }
        NodePtr action(const std::string &name, const Args &args) override {
            auto it = library_.actions_.find(name);
            if (it == library_.actions_.end()) return nullptr;
            if (!bb_) return std::make_unique<Action>([] { return Result::failure; });
            return it->second(*bb_, args);
        }
        std::unique_ptr<Decorator> decorator(const std::string &name, const Args &args) override {
            auto it = library_.decorators_.find(name);
            if (it == library_.decorators_.end()) return nullptr;
            if (!bb_) return std::make_unique<Loop>(nullptr);
            return it->second(*bb_, args);
        }

    private:
        const Library &library_;
        Blackboard *bb_;
    };

    // Building without a blackboard makes placeholder nodes and resolves every name, which is the
    // check; the nodes are dropped.
    static void check_names(const Description &description, Bound &bound) { (void)shd::bt::build(description, bound); }

    std::map<std::string, ConditionFn> conditions_;
    std::map<std::string, ActionFactory> actions_;
    std::map<std::string, DecoratorFactory> decorators_;
};

}  // namespace shd::bt
