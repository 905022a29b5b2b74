#include "world/formula.hpp"

#include <algorithm>
#include <cmath>

namespace mmo::world::formula {

int damage(double a, double d, double u, double skill_factor, int target_hp) {
    double m = std::sqrt(std::fabs(a - d)) / 5 + 1;
    if (a <= d) m = 0.8 / m;
    const double f = std::pow((d + 5) / 5, -0.33);
    const double base = std::ceil(a * f * m * u);
    const double dmg = std::ceil(skill_factor * base);
    return static_cast<int>(std::clamp(dmg, 1.0, static_cast<double>(std::max(target_hp, 1))));
}

double skill_factor(double attack_param, double upgrade_param, int skill_level) {
    return attack_param + (std::max(skill_level, 1) - 1) * upgrade_param;
}

int mob_stat(int base, double upgrade_param, int level) {
    return static_cast<int>(std::lround(base * (1 + (std::max(level, 1) - 1) * upgrade_param)));
}

std::int64_t kill_exp(int base_exp, int player_level, int mob_level) {
    const int d = player_level - mob_level;
    double m = std::pow(std::abs(d), 1.5) / 6 + 1;
    if (d >= 0) m = 1 / (m * m);
    m = std::min(m, 5.0);
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(base_exp * mob_level * m)));
}

int level_up_gain(double upgrade_param, int kind_base) {
    return static_cast<int>(std::lround(upgrade_param * kind_base));
}

int drop_count(double u) {
    return static_cast<int>(std::floor(u * 2.1));
}

int equipment_drop_level(int mob_level, int player_level, double s) {
    const int lv = std::max(1, std::min(mob_level, player_level));
    const int max_lv = std::min(25, lv - 1);
    return lv - static_cast<int>(std::floor(max_lv * std::pow(3.0, s) / 81));
}

}  // namespace mmo::world::formula
