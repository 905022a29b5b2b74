// Behaviour trees with pomelo-bt 0.0.1's nodes and results (npm pomelo-bt, the AI of Lord of Pomelo).
//
// The owner ticks the root once per game tick (Lord of Pomelo: every 100 ms for each mob and
// player). A tick returns success, failure or wait; wait means "not finished, tick me again next
// time", and the composites remember where they were: the next tick resumes at the child that
// waited. Nodes share the owner's state (pomelo-bt's blackboard): here, conditions and actions are
// functions that capture it, or are built from a Library<Blackboard> (library.hpp).
//
//   Sequence   children in order from the remembered one: success -> next; wait -> wait (resume
//              here); failure -> failure, start over next time; all succeeded -> success.
//   Select     children in order from the remembered one: success -> success, start over; wait ->
//              wait (resume here); failure -> next; all failed -> failure.
//   Parallel   ticks every child, or, after a wait, only the children that waited; any wait -> wait;
//              when all are done: fail_on_one fails if any failed, fail_on_all succeeds if any
//              succeeded; then starts over.
//   Condition  success if the condition holds, else failure (no condition: failure).
//   If         Sequence[Condition, action]: the condition is checked when the sequence starts, not
//              again while the action waits.
//   Loop       ticks its child; failure or wait is passed up; after a success, wait (run again next
//              tick) while the loop condition holds, else success (no condition: once).
//   Sequence, Select and Parallel with no children succeed.
//
// Threading: a tree is owned by one thread, the logic thread that ticks it (see Tree in tree.hpp,
// which checks this). Nodes are not copyable; a node belongs to one parent.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace shd::bt {

// pomelo-bt's RES_SUCCESS 0, RES_FAIL 1, RES_WAIT 2.
enum class Result : int { success = 0, failure = 1, wait = 2 };

const char *to_string(Result result);

class Node {
public:
    Node() = default;
    Node(const Node &) = delete;
    Node &operator=(const Node &) = delete;
    virtual ~Node() = default;

    // pomelo-bt's doAction().
    virtual Result tick() = 0;
};

using NodePtr = std::unique_ptr<Node>;

// A node with children (pomelo-bt's Composite and its addChild).
class Composite : public Node {
public:
    void add_child(NodePtr child);
    size_t child_count() const { return children_.size(); }
    Node &child(size_t i) const { return *children_.at(i); }

protected:
    std::vector<NodePtr> children_;
};

// A node with one child (pomelo-bt's Decorator and its setChild). Derive from it for decorators of
// your own; Loop is the one pomelo-bt ships.
class Decorator : public Node {
public:
    explicit Decorator(NodePtr child = nullptr) : child_(std::move(child)) {}
    void set_child(NodePtr child) { child_ = std::move(child); }
    Node *child() const { return child_.get(); }

protected:
    // The child's tick; throws std::logic_error if there is no child (pomelo-bt would throw a
    // TypeError).
    Result tick_child();

    NodePtr child_;
};

class Sequence : public Composite {
public:
    Result tick() override;
    size_t index() const { return index_; }

private:
    size_t index_ = 0;
};

class Select : public Composite {
public:
    Result tick() override;
    size_t index() const { return index_; }

private:
    size_t index_ = 0;
};

class Parallel : public Composite {
public:
    // pomelo-bt's POLICY_FAIL_ON_ONE 0 (the default), POLICY_FAIL_ON_ALL 1.
    enum class Policy { fail_on_one = 0, fail_on_all = 1 };

    explicit Parallel(Policy policy = Policy::fail_on_one) : policy_(policy) {}
    Result tick() override;
    Policy policy() const { return policy_; }

private:
    void reset();

    Policy policy_;
    std::vector<Node *> waiting_;  // the children that waited last tick (empty: tick them all)
    std::vector<Node *> still_waiting_;
    size_t succeeded_ = 0;
    size_t failed_ = 0;
};

class Condition : public Node {
public:
    explicit Condition(std::function<bool()> cond) : cond_(std::move(cond)) {}
    Result tick() override { return cond_ && cond_() ? Result::success : Result::failure; }

private:
    std::function<bool()> cond_;
};

class If : public Node {
public:
    If(std::function<bool()> cond, NodePtr action);
    Result tick() override { return sequence_.tick(); }

private:
    Sequence sequence_;
};

class Loop : public Decorator {
public:
    explicit Loop(NodePtr child, std::function<bool()> loop_cond = {})
        : Decorator(std::move(child)), loop_cond_(std::move(loop_cond)) {}
    Result tick() override;

private:
    std::function<bool()> loop_cond_;
};

// A leaf that runs a function: the quickest way to write an action (pomelo-bt has you derive from
// Node; deriving from Node works here too).
class Action : public Node {
public:
    explicit Action(std::function<Result()> run) : run_(std::move(run)) {}
    Result tick() override { return run_(); }

private:
    std::function<Result()> run_;
};

}  // namespace shd::bt
