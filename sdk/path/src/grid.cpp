#include <shaddock/path/grid.hpp>

#include <stdexcept>
#include <string>

namespace shd::path {

namespace {

void check_weight(double weight) {
    // NaN fails this test too.
    if (!(weight >= 1.0)) {
        throw std::invalid_argument("path grid: a tile weight must be at least 1 or blocked (infinity), got " +
                                    std::to_string(weight));
    }
}

}  // namespace

Grid::Grid(int width, int height, double weight, Neighbours neighbours)
    : width_(width), height_(height), neighbours_(neighbours) {
    if (width < 0 || height < 0) {
        throw std::invalid_argument("path grid: size must not be negative, got " + std::to_string(width) + " x " +
                                    std::to_string(height));
    }
    check_weight(weight);
    weights_.assign(static_cast<size_t>(width) * static_cast<size_t>(height), weight);
}

void Grid::set_weight(Tile t, double weight) {
    if (!contains(t)) {
        throw std::out_of_range("path grid: tile (" + std::to_string(t.x) + ", " + std::to_string(t.y) +
                                ") is outside the " + std::to_string(width_) + " x " + std::to_string(height_) +
                                " grid");
    }
    check_weight(weight);
    weights_[index(t)] = weight;
}

}  // namespace shd::path
