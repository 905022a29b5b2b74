// A tree's root and the thread that ticks it. Behaviour trees run on the logic thread (the thread
// that runs the app's handlers and timers, which owns the game state the nodes read and change);
// Tree remembers the thread of its first tick and throws std::logic_error when ticked from another,
// so a tree handed to a worker thread by mistake fails at once instead of racing.
#pragma once

#include <thread>

#include <shaddock/bt/node.hpp>

namespace shd::bt {

class Tree {
public:
    Tree() = default;
    explicit Tree(NodePtr root) : root_(std::move(root)) {}

    // One tick of the root (pomelo-bt: root.doAction()). An empty tree succeeds.
    Result tick();

    Node *root() const { return root_.get(); }
    // Lets another thread take the tree over (its next tick becomes the owning thread).
    void release_thread() { owner_ = std::thread::id(); }

private:
    NodePtr root_;
    std::thread::id owner_;
};

}  // namespace shd::bt
