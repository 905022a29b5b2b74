// Where heroes are born (area 1, x 346-471, y 81-209) and what a new one carries. The playable kinds
// and their base stats are the rows of config/data/character.json marked "player" (210 and 211).
#pragma once
#include <cstddef>

namespace mmo {

constexpr int kBornArea = 1;
constexpr int kBornMinX = 346, kBornMaxX = 471, kBornMinY = 81, kBornMaxY = 209;
constexpr int kBagSlots = 20;
constexpr size_t kMaxHeroNameChars = 9;

}  // namespace mmo
