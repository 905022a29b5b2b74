// The playable kinds (lordofpomelo's character data for 210 and 211): the base stats a new hero
// starts with, and where heroes are born (area 1, x 346-471, y 81-209).
#pragma once
#include <string>

namespace mmo {

struct HeroKind {
    int id;
    const char *name;
    int hp, mp, attack, defence, hit_rate, dodge_rate;
    double attack_speed;
    int walk_speed;
};

inline const HeroKind *hero_kind(int id) {
    static const HeroKind kinds[] = {
        {210, "Angle", 220, 20, 23, 9, 90, 13, 1.2, 240},
        {211, "Alchemist", 180, 60, 18, 12, 95, 10, 1.2, 240},
    };
    for (const auto &k : kinds)
        if (k.id == id) return &k;
    return nullptr;
}

constexpr int kBornArea = 1;
constexpr int kBornMinX = 346, kBornMaxX = 471, kBornMinY = 81, kBornMaxY = 209;
constexpr int kBagSlots = 20;
constexpr size_t kMaxHeroNameChars = 9;

}  // namespace mmo
