#include <shaddock/bt/tree.hpp>

#include <stdexcept>

namespace shd::bt {

Result Tree::tick() {
    const std::thread::id me = std::this_thread::get_id();
    if (owner_ == std::thread::id()) {
        owner_ = me;
    } else if (owner_ != me) {
        throw std::logic_error("bt: a tree was ticked from a thread other than the one that ticks it");
    }
    return root_ ? root_->tick() : Result::success;
}

}  // namespace shd::bt
