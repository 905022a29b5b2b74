#include <shaddock/bt/node.hpp>

#include <stdexcept>

namespace shd::bt {

const char *to_string(Result result) {
    switch (result) {
        case Result::success: return "success";
        case Result::failure: return "failure";
        case Result::wait: return "wait";
    }
    return "unknown";
}

void Composite::add_child(NodePtr child) {
    if (!child) throw std::invalid_argument("bt: add_child(nullptr)");
    children_.push_back(std::move(child));
}

Result Decorator::tick_child() {
    if (!child_) throw std::logic_error("bt: a decorator was ticked without a child");
    return child_->tick();
}

Result Sequence::tick() {
    if (children_.empty()) return Result::success;
    if (index_ >= children_.size()) index_ = 0;
    for (; index_ < children_.size(); ++index_) {
        const Result r = children_[index_]->tick();
        if (r == Result::success) continue;
        if (r == Result::failure) index_ = 0;
        return r;  // wait: resume at this child next tick
    }
    index_ = 0;
    return Result::success;
}

Result Select::tick() {
    if (children_.empty()) return Result::success;
    if (index_ >= children_.size()) index_ = 0;
    for (; index_ < children_.size(); ++index_) {
        const Result r = children_[index_]->tick();
        if (r == Result::failure) continue;
        if (r == Result::success) index_ = 0;
        return r;  // wait: resume at this child next tick
    }
    index_ = 0;
    return Result::failure;
}

Result Parallel::tick() {
    if (children_.empty()) return Result::success;
    still_waiting_.clear();
    auto run = [this](Node *child) {
        switch (child->tick()) {
            case Result::success: ++succeeded_; break;
            case Result::wait: still_waiting_.push_back(child); break;
            case Result::failure: ++failed_; break;
        }
    };
    if (waiting_.empty()) {
        for (const NodePtr &child : children_) run(child.get());
    } else {
        for (Node *child : waiting_) run(child);
    }
    if (!still_waiting_.empty()) {
        waiting_.swap(still_waiting_);
        return Result::wait;
    }
    Result r;
    if (policy_ == Policy::fail_on_one) {
        r = failed_ ? Result::failure : Result::success;
    } else {
        r = succeeded_ ? Result::success : Result::failure;
    }
    reset();
    return r;
}

void Parallel::reset() {
    waiting_.clear();
    succeeded_ = 0;
    failed_ = 0;
}

If::If(std::function<bool()> cond, NodePtr action) {
    sequence_.add_child(std::make_unique<Condition>(std::move(cond)));
    sequence_.add_child(std::move(action));
}

Result Loop::tick() {
    const Result r = tick_child();
    if (r != Result::success) return r;
    return loop_cond_ && loop_cond_() ? Result::wait : Result::success;
}

}  // namespace shd::bt
