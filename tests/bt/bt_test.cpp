// shd::bt: each node's semantics as pomelo-bt 0.0.1 has them (results, where a composite resumes,
// what is ticked again), decorators of one's own, the Tree's thread check, and JSON descriptions
// (every node type, errors naming file and place, unknown names, Library::check).
#include <shaddock/bt/library.hpp>
#include <shaddock/bt/tree.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace shd::bt;

namespace {

constexpr Result S = Result::success;
constexpr Result F = Result::failure;
constexpr Result W = Result::wait;

// A leaf that returns its script's results in turn (the last one repeats) and logs its name.
class Scripted : public Node {
public:
    Scripted(std::string name, std::vector<Result> script, std::vector<std::string> &log)
        : name_(std::move(name)), script_(std::move(script)), log_(log) {}
    Result tick() override {
        log_.push_back(name_);
        const Result r = script_[std::min(calls_, script_.size() - 1)];
        ++calls_;
        return r;
    }

private:
    std::string name_;
    std::vector<Result> script_;
    size_t calls_ = 0;
    std::vector<std::string> &log_;
};

std::string joined(std::vector<std::string> &log) {
    std::string s;
    for (const std::string &e : log) s += (s.empty() ? "" : " ") + e;
    log.clear();
    return s;
}

template <class C>
std::unique_ptr<C> composite(std::vector<std::string> &log,
                             std::vector<std::pair<std::string, std::vector<Result>>> children) {
    auto node = std::make_unique<C>();
    for (auto &[name, script] : children) node->add_child(std::make_unique<Scripted>(name, script, log));
    return node;
}

class Invert : public Decorator {
public:
    using Decorator::Decorator;
    Result tick() override {
        const Result r = tick_child();
        return r == S ? F : r == F ? S : W;
    }
};

struct Mob {
    bool has_target = false;
    int attacks = 0;
    int patrols = 0;
    int target_hp = 0;
};

std::string description_error(const std::string &json) {
    try {
        parse_description(json, "ai/bad.json");
    } catch (const DescriptionError &e) {
        return e.what();
    }
    return "(no error)";
}

bool has_text(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

}  // namespace

class BtTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BtTest);
    CPPUNIT_TEST(sequence);
    CPPUNIT_TEST(select);
    CPPUNIT_TEST(parallel_fail_on_one);
    CPPUNIT_TEST(parallel_fail_on_all);
    CPPUNIT_TEST(empty_composites_succeed);
    CPPUNIT_TEST(condition);
    CPPUNIT_TEST(if_checks_its_condition_only_when_starting);
    CPPUNIT_TEST(loop);
    CPPUNIT_TEST(decorators_of_ones_own);
    CPPUNIT_TEST(tree_is_ticked_on_one_thread);
    CPPUNIT_TEST(description_builds_every_node_type);
    CPPUNIT_TEST(description_errors_name_file_and_place);
    CPPUNIT_TEST(unknown_names);
    CPPUNIT_TEST(args);
    CPPUNIT_TEST_SUITE_END();

public:
    void sequence() {
        std::vector<std::string> log;
        auto seq = composite<Sequence>(log, {{"a", {S}}, {"b", {W, W, S, F}}, {"c", {S}}});
        CPPUNIT_ASSERT(seq->tick() == W);
        CPPUNIT_ASSERT_EQUAL(std::string("a b"), joined(log));
        CPPUNIT_ASSERT(seq->tick() == W);  // resumes at b: a is not ticked again
        CPPUNIT_ASSERT_EQUAL(std::string("b"), joined(log));
        CPPUNIT_ASSERT(seq->tick() == S);
        CPPUNIT_ASSERT_EQUAL(std::string("b c"), joined(log));
        CPPUNIT_ASSERT_EQUAL(size_t(0), seq->index());
        CPPUNIT_ASSERT(seq->tick() == F);  // b fails: c is not reached, and the next tick starts over
        CPPUNIT_ASSERT_EQUAL(std::string("a b"), joined(log));
        CPPUNIT_ASSERT_EQUAL(size_t(0), seq->index());
        CPPUNIT_ASSERT(seq->tick() == F);
        CPPUNIT_ASSERT_EQUAL(std::string("a b"), joined(log));
    }

    void select() {
        std::vector<std::string> log;
        auto sel = composite<Select>(log, {{"a", {F}}, {"b", {W, F, S}}, {"c", {S, F}}});
        CPPUNIT_ASSERT(sel->tick() == W);
        CPPUNIT_ASSERT_EQUAL(std::string("a b"), joined(log));
        CPPUNIT_ASSERT(sel->tick() == S);  // resumes at b, which fails; c succeeds
        CPPUNIT_ASSERT_EQUAL(std::string("b c"), joined(log));
        CPPUNIT_ASSERT_EQUAL(size_t(0), sel->index());
        CPPUNIT_ASSERT(sel->tick() == S);  // from the start: a fails, b succeeds
        CPPUNIT_ASSERT_EQUAL(std::string("a b"), joined(log));
        auto none = composite<Select>(log, {{"x", {F}}, {"y", {F}}});
        CPPUNIT_ASSERT(none->tick() == F);
        CPPUNIT_ASSERT_EQUAL(std::string("x y"), joined(log));
        CPPUNIT_ASSERT(none->tick() == F);
        CPPUNIT_ASSERT_EQUAL(std::string("x y"), joined(log));
    }

    void parallel_fail_on_one() {
        std::vector<std::string> log;
        auto par = composite<Parallel>(log, {{"a", {F, S}}, {"b", {W, W, S}}, {"c", {S}}});
        CPPUNIT_ASSERT(par->tick() == W);
        CPPUNIT_ASSERT_EQUAL(std::string("a b c"), joined(log));
        CPPUNIT_ASSERT(par->tick() == W);  // only the child that waited
        CPPUNIT_ASSERT_EQUAL(std::string("b"), joined(log));
        // b succeeds; a failed two ticks ago, which still counts: failure, then start over.
        CPPUNIT_ASSERT(par->tick() == F);
        CPPUNIT_ASSERT_EQUAL(std::string("b"), joined(log));
        CPPUNIT_ASSERT(par->tick() == S);  // a, b, c all succeed now
        CPPUNIT_ASSERT_EQUAL(std::string("a b c"), joined(log));
        CPPUNIT_ASSERT(par->policy() == Parallel::Policy::fail_on_one);
    }

    void parallel_fail_on_all() {
        std::vector<std::string> log;
        auto par = std::make_unique<Parallel>(Parallel::Policy::fail_on_all);
        par->add_child(std::make_unique<Scripted>("a", std::vector<Result>{F, F, S}, log));
        par->add_child(std::make_unique<Scripted>("b", std::vector<Result>{W, F}, log));
        CPPUNIT_ASSERT(par->tick() == W);
        CPPUNIT_ASSERT(par->tick() == F);  // a failed, b failed: all failed
        CPPUNIT_ASSERT_EQUAL(std::string("a b b"), joined(log));
        CPPUNIT_ASSERT(par->tick() == F);  // a fails again, b fails
        CPPUNIT_ASSERT(par->tick() == S);  // a succeeds: one success is enough
        CPPUNIT_ASSERT_EQUAL(std::string("a b a b"), joined(log));
    }

    void empty_composites_succeed() {
        CPPUNIT_ASSERT(Sequence().tick() == S);
        CPPUNIT_ASSERT(Select().tick() == S);  // as in pomelo-bt, though no child succeeded
        CPPUNIT_ASSERT(Parallel(Parallel::Policy::fail_on_all).tick() == S);
        CPPUNIT_ASSERT(Tree().tick() == S);
        CPPUNIT_ASSERT_THROW(Sequence().add_child(nullptr), std::invalid_argument);
    }

    void condition() {
        bool flag = false;
        Condition c([&] { return flag; });
        CPPUNIT_ASSERT(c.tick() == F);
        flag = true;
        CPPUNIT_ASSERT(c.tick() == S);
        CPPUNIT_ASSERT(Condition({}).tick() == F);  // no condition: failure
    }

    void if_checks_its_condition_only_when_starting() {
        std::vector<std::string> log;
        int checks = 0;
        bool ok = false;
        If node([&] { return ++checks, ok; }, std::make_unique<Scripted>("act", std::vector<Result>{W, W, S}, log));
        CPPUNIT_ASSERT(node.tick() == F);
        CPPUNIT_ASSERT_EQUAL(std::string(""), joined(log));
        ok = true;
        CPPUNIT_ASSERT(node.tick() == W);
        ok = false;  // changed while the action waits: not looked at again
        CPPUNIT_ASSERT(node.tick() == W);
        CPPUNIT_ASSERT(node.tick() == S);
        CPPUNIT_ASSERT_EQUAL(2, checks);
        CPPUNIT_ASSERT_EQUAL(std::string("act act act"), joined(log));
        CPPUNIT_ASSERT(node.tick() == F);  // starting again: checked, false
        CPPUNIT_ASSERT_EQUAL(3, checks);
    }

    void loop() {
        std::vector<std::string> log;
        int rounds = 2;
        Loop looping(std::make_unique<Scripted>("body", std::vector<Result>{S, W, S, S, F}, log),
                     [&] { return rounds-- > 0; });
        CPPUNIT_ASSERT(looping.tick() == W);  // success, condition holds: again next tick
        CPPUNIT_ASSERT(looping.tick() == W);  // the body waits: passed up
        CPPUNIT_ASSERT(looping.tick() == W);  // success, condition holds
        CPPUNIT_ASSERT(looping.tick() == S);  // success, condition no longer holds
        CPPUNIT_ASSERT(looping.tick() == F);  // failure passed up
        CPPUNIT_ASSERT_EQUAL(std::string("body body body body body"), joined(log));
        Loop once(std::make_unique<Scripted>("x", std::vector<Result>{S}, log));
        CPPUNIT_ASSERT(once.tick() == S);
        Loop empty(nullptr);
        CPPUNIT_ASSERT_THROW(empty.tick(), std::logic_error);
    }

    void decorators_of_ones_own() {
        std::vector<std::string> log;
        Invert inv(std::make_unique<Scripted>("x", std::vector<Result>{S, F, W}, log));
        CPPUNIT_ASSERT(inv.tick() == F);
        CPPUNIT_ASSERT(inv.tick() == S);
        CPPUNIT_ASSERT(inv.tick() == W);
        inv.set_child(std::make_unique<Scripted>("y", std::vector<Result>{F}, log));
        CPPUNIT_ASSERT(inv.tick() == S);
        CPPUNIT_ASSERT_EQUAL(std::string("x x x y"), joined(log));
    }

    void tree_is_ticked_on_one_thread() {
        int ticks = 0;
        Tree tree(std::make_unique<Action>([&] { return ++ticks, W; }));
        CPPUNIT_ASSERT(tree.tick() == W);
        bool threw = false;
        std::thread other([&] {
            try {
                tree.tick();
            } catch (const std::logic_error &) {
                threw = true;
            }
        });
        other.join();
        CPPUNIT_ASSERT(threw);
        CPPUNIT_ASSERT_EQUAL(1, ticks);
        tree.release_thread();
        std::thread taker([&] { tree.tick(); });
        taker.join();
        CPPUNIT_ASSERT_EQUAL(2, ticks);
    }

    void description_builds_every_node_type() {
        // Lord of Pomelo's tiger brain, with a parallel and a decorator of our own added.
        const Description d = parse_description(R"({
          "type": "select", "children": [
            {"type": "if", "cond": "hasTarget", "action":
              {"type": "loop", "loopCond": "targetAlive", "child":
                {"type": "parallel", "policy": "failOnAll", "children": [
                  {"type": "action", "name": "attack", "args": {"damage": 4}},
                  {"type": "decorator", "name": "invert", "child": {"type": "condition", "cond": "targetAlive"}}
                ]}}},
            {"type": "sequence", "children": [{"type": "action", "name": "patrol"}]}
          ]})",
                                                "ai/tiger.json");
        CPPUNIT_ASSERT(d.type == Description::Type::select);
        CPPUNIT_ASSERT_EQUAL(std::string("ai/tiger.json: /children/0/action"), d.children[0].children[0].where);
        CPPUNIT_ASSERT(d.children[0].children[0].children[0].policy == Parallel::Policy::fail_on_all);
        Library<Mob> library;
        library.condition("hasTarget", [](Mob &m) { return m.has_target; })
            .condition("targetAlive", [](Mob &m) { return m.target_hp > 0; })
            .action("attack",
                    [](Mob &m, const Args &args) -> NodePtr {
                        const int damage = static_cast<int>(args.number("damage", 1));
                        return std::make_unique<Action>([&m, damage] {
                            ++m.attacks;
                            m.target_hp -= damage;
                            return S;
                        });
                    })
            .leaf("patrol", [](Mob &m) { return ++m.patrols, S; })
            .decorator("invert", [](Mob &, const Args &) { return std::make_unique<Invert>(); });
        library.check(d);
        Mob mob;
        Tree tree(library.build(d, mob));
        CPPUNIT_ASSERT(tree.tick() == S);  // no target: patrol
        CPPUNIT_ASSERT_EQUAL(1, mob.patrols);
        mob.has_target = true;
        mob.target_hp = 10;
        // attack 4 (hp 6): parallel succeeds (attack succeeded); loop: target alive -> wait.
        CPPUNIT_ASSERT(tree.tick() == W);
        CPPUNIT_ASSERT(tree.tick() == W);  // hp 2
        CPPUNIT_ASSERT(tree.tick() == S);  // hp -2: the loop ends, the if and the select succeed
        CPPUNIT_ASSERT_EQUAL(3, mob.attacks);
        CPPUNIT_ASSERT_EQUAL(1, mob.patrols);
        // Two mobs from one description do not share state.
        Mob other;
        Tree second(library.build(d, other));
        CPPUNIT_ASSERT(second.tick() == S);
        CPPUNIT_ASSERT_EQUAL(1, other.patrols);
        CPPUNIT_ASSERT_EQUAL(1, mob.patrols);
    }

    void description_errors_name_file_and_place() {
        std::string e = description_error("{\"type\": ");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "ai/bad.json: not JSON at offset"));
        e = description_error("[]");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "ai/bad.json: /: expected a node"));
        e = description_error(R"({"type": "sequence", "children": [{"type": "wander"}]})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "ai/bad.json: /children/0/type: unknown node type \"wander\""));
        e = description_error(R"({"type": "select"})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/children: missing"));
        e = description_error(R"({"type": "select", "children": {}})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/children: expected an array"));
        e = description_error(R"({"type": "parallel", "children": [], "policy": "failOnSome"})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/policy: expected \"failOnOne\" or \"failOnAll\""));
        e = description_error(R"({"type": "loop", "child": {"type": "condition", "cond": "x", "loopCond": "y"}})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/child/loopCond: unknown key for this node type (it takes type, cond)"));
        e = description_error(R"({"type": "if", "cond": "x"})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/action: missing"));
        e = description_error(R"({"type": "condition", "cond": 3})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/cond: expected a non-empty string"));
        e = description_error(R"({"type": "action", "name": "a", "args": {"list": [1]}})");
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "/args/list: expected a string, number or boolean"));
        std::string deep;
        for (int i = 0; i < 100; ++i) deep += R"({"type": "loop", "child": )";
        deep += R"({"type": "action", "name": "a"})" + std::string(100, '}');
        e = description_error(deep);
        CPPUNIT_ASSERT_MESSAGE(e, has_text(e, "nested deeper than 64 levels"));
        try {
            load_description("/nonexistent/brain.json");
            CPPUNIT_FAIL("no error");
        } catch (const DescriptionError &err) {
            CPPUNIT_ASSERT(has_text(err.what(), "/nonexistent/brain.json: cannot be read"));
        }
    }

    void unknown_names() {
        const Description d = parse_description(
            R"({"type": "sequence", "children": [{"type": "action", "name": "rest"},
                {"type": "if", "cond": "hungry", "action": {"type": "action", "name": "eat"}}]})",
            "ai/cow.json");
        Library<Mob> library;
        library.leaf("rest", [](Mob &) { return S; }).leaf("eat", [](Mob &) { return S; });
        try {
            library.check(d);
            CPPUNIT_FAIL("no error");
        } catch (const DescriptionError &e) {
            CPPUNIT_ASSERT_EQUAL(std::string("ai/cow.json: /children/1: unknown condition \"hungry\""),
                                 std::string(e.what()));
        }
        Mob mob;
        CPPUNIT_ASSERT_THROW(library.build(d, mob), DescriptionError);
        library.condition("hungry", [](Mob &) { return true; });
        library.check(d);
        CPPUNIT_ASSERT(library.build(d, mob)->tick() == S);
        const Description loop = parse_description(
            R"({"type": "loop", "loopCond": "again", "child": {"type": "decorator", "name": "twice",
                "child": {"type": "action", "name": "rest"}}})",
            "ai/x.json");
        try {
            library.check(loop);
            CPPUNIT_FAIL("no error");
        } catch (const DescriptionError &e) {
            CPPUNIT_ASSERT_EQUAL(std::string("ai/x.json: /: unknown condition \"again\""), std::string(e.what()));
        }
        library.condition("again", [](Mob &) { return false; });
        try {
            library.check(loop);
            CPPUNIT_FAIL("no error");
        } catch (const DescriptionError &e) {
            CPPUNIT_ASSERT_EQUAL(std::string("ai/x.json: /child: unknown decorator \"twice\""), std::string(e.what()));
        }
    }

    void args() {
        const Description d = parse_description(
            R"({"type": "action", "name": "a", "args": {"n": 2.5, "s": "text", "b": true, "big": 10000000000}})", "x");
        CPPUNIT_ASSERT_EQUAL(2.5, d.args.number("n", 0));
        CPPUNIT_ASSERT_EQUAL(7.0, d.args.number("missing", 7));
        CPPUNIT_ASSERT_EQUAL(std::string("text"), d.args.text("s"));
        CPPUNIT_ASSERT_EQUAL(std::string("true"), d.args.text("b"));
        CPPUNIT_ASSERT_EQUAL(1e10, d.args.number("big", 0));
        CPPUNIT_ASSERT_THROW(d.args.number("s", 0), std::invalid_argument);
        CPPUNIT_ASSERT(!d.args.has("missing") && d.args.has("b"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BtTest);
