// agent_wire.hpp - the coordinator <-> agent protocol: one JSON object per line over TCP.
//
//   coordinator -> agent   {"type":"run","scenario":{..},"firstIndex":0,"users":50,"totalUsers":100,"startAtUs":T}
//                          {"type":"level","level":3}      the rate controller's new level
//                          {"type":"stop"}                 end the run now
//   agent -> coordinator   {"type":"ready"}                scenario accepted, waiting for startAtUs
//                          {"type":"tick","second":N,"stats":{..}}   figures of second N (1-based)
//                          {"type":"done","stats":{..},"cpu":{"user":S,"system":S},"elapsed":S}
//                                                          the last partial second, then the agent's totals
//                          {"type":"error","message":".."} then the agent closes the connection
#pragma once

#include "report.hpp"
#include "snapshot.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace shd::robot {

// Lines longer than this are refused (a histogram with every bucket set is well under 200 KiB).
constexpr size_t kMaxLineBytes = 8u << 20;

struct WireMessage {
    enum class Type { run, level, stop, ready, tick, done, error };
    Type type = Type::error;
    // run
    std::string scenario_json;
    uint64_t first_index = 0, users = 0, total_users = 0;
    int64_t start_at_us = 0;
    // level
    unsigned level = 0;
    // tick / done
    unsigned second = 0;
    Snapshot stats;
    CpuTimes cpu;
    double elapsed = 0;
    // error
    std::string message;
};

std::string encode_run(const std::string &scenario_json, uint64_t first_index, uint64_t users, uint64_t total_users,
                       int64_t start_at_us);
std::string encode_level(unsigned level);
std::string encode_stop();
std::string encode_ready();
std::string encode_tick(unsigned second, const Snapshot &s);
std::string encode_done(const Snapshot &rest, const CpuTimes &cpu, double elapsed);
std::string encode_error(const std::string &message);

// Decodes one line (without its newline). False with *error naming what is wrong.
bool decode_message(std::string_view line, WireMessage &out, std::string *error);

}  // namespace shd::robot
