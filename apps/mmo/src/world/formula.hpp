// The game's formulas (LORDOFPOMELO.md §3.3, §3.4), as pure functions of their inputs and a random
// draw, so tests check them with fixed draws.
#pragma once
#include <cstdint>

namespace mmo::world::formula {

// Damage of an attack of total attack `a` on total defence `d`: m = sqrt|a-d|/5 + 1 (0.8/m when
// a <= d), f = ((d+5)/5)^-0.33, base = ceil(a*f*m*u) with u in [0.9, 1.1), then ceil(skill_factor *
// base), at least 1 and at most target_hp.
int damage(double a, double d, double u, double skill_factor, int target_hp);

// A skill's factor at a skill level: attackParam + (level-1) * upgradeParam.
double skill_factor(double attack_param, double upgrade_param, int skill_level);

// A mob's hp, mp, attack or defence at a level: round(base * (1 + (level-1) * upgradeParam)).
int mob_stat(int base, double upgrade_param, int level);

// Experience for killing a mob: d = player_level - mob_level, m = |d|^1.5/6 + 1, m = 1/m^2 when
// d >= 0, m <= 5; floor(base_exp * mob_level * m), at least 1.
std::int64_t kill_exp(int base_exp, int player_level, int mob_level);

// What a level-up adds to a stat: round(upgradeParam * the kind's base).
int level_up_gain(double upgrade_param, int kind_base);

// The number of drops of a kill: floor(u * 2.1), u in [0, 1).
int drop_count(double u);

// The hero level of a dropped equipment piece: lv = min(mob, player), maxLv = min(25, lv-1),
// level = lv - floor(maxLv * 3^s / 81) with s in [0, 4).
int equipment_drop_level(int mob_level, int player_level, double s);

}  // namespace mmo::world::formula
