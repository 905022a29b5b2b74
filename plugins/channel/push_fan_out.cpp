#include "push_fan_out.hpp"

#include <shaddock/cpp/handler.hpp>

#include <rapidjson/document.h>

#include <memory>

namespace shd::channel {

namespace {

struct LaterResult {
    shd_push_result_fn done;
    void *ud;
    shd_status status;
    std::string failed_json;
};

void SHD_CALL run_later_result(void *ud, shd_status task_status) {
    std::unique_ptr<LaterResult> r(static_cast<LaterResult *>(ud));
    r->done(r->ud, task_status == SHD_OK ? r->status : SHD_ERR_SHUTDOWN, to_shd(r->failed_json));
}

// The RPC args [route, body, third].
std::string remote_args(std::string_view route, std::string_view body_json, std::string_view third) {
    std::string args;
    args.reserve(route.size() + body_json.size() + third.size() + 8);
    args += '[';
    args += json_quote(route);
    args += ',';
    args += body_json;
    args += ',';
    args += third;
    args += ']';
    return args;
}

}  // namespace

void complete_later(const Host &host, shd_push_result_fn done, void *ud, shd_status status,
                    std::string failed_uids_json) {
    if (!done) return;
    auto *r = new LaterResult{done, ud, status, std::move(failed_uids_json)};
    if (host.api()->post(host.ctx(), &run_later_result, r) != SHD_OK) run_later_result(r, SHD_ERR_SHUTDOWN);
}

// One push or broadcast in flight. `pending` starts at 1 for the sending loop itself, so a call that
// answers early cannot complete the job before every call is out.
struct PushFanOut::Job {
    Job(const Host &h, shd_push_result_fn d, void *u) : host(h), done(d), ud(u) {}
    Host host;
    shd_push_result_fn done;
    void *ud;
    size_t pending = 1;
    bool any_target = false;
    bool any_ok = false;
    shd_status first_error = SHD_OK;
    std::vector<std::string> failed;

    void record(shd_status s) {
        any_target = true;
        if (s == SHD_OK)
            any_ok = true;
        else if (first_error == SHD_OK)
            first_error = s;
    }
    shd_status status() const { return !any_target || any_ok ? SHD_OK : first_error; }
    // Inside a result callback: complete now. At the end of the sending loop: complete later.
    void release(bool from_callback) {
        if (--pending) return;
        if (!done) return;
        if (from_callback)
            done(ud, status(), to_shd(json_string_array(failed)));
        else
            complete_later(host, done, ud, status(), json_string_array(failed));
    }
};

struct PushFanOut::Call {
    std::shared_ptr<Job> job;
    Groups groups;
    size_t group = 0;
};

void PushFanOut::push(const Groups &groups, std::string_view route, std::string_view body_json, shd_push_result_fn done,
                      void *ud) const {
    auto job = std::make_shared<Job>(host_, done, ud);
    for (size_t i = 0; i < groups->size(); ++i) {
        const FrontendGroup &g = (*groups)[i];
        if (g.frontend_id == self_id_) {
            job->record(local_.push_to_uids(route, body_json, g.uids, job->failed));
        } else if (!rpc_) {
            job->record(SHD_ERR_UNSUPPORTED);
            job->failed.insert(job->failed.end(), g.uids.begin(), g.uids.end());
        } else {
            ++job->pending;
            // The server type is not needed to reach a server by id.
            rpc_->invoke(rctx_, to_shd(g.frontend_id), to_shd(""), to_shd("sys"), to_shd("channelRemote"),
                         to_shd("pushMessage"), to_shd(remote_args(route, body_json, g.uids_json)), 0,
                         &PushFanOut::on_push_result, new Call{job, groups, i});
        }
    }
    job->release(false);
}

void SHD_CALL PushFanOut::on_push_result(void *ud, shd_status status, shd_str result_json) {
    std::unique_ptr<Call> call(static_cast<Call *>(ud));
    Job &job = *call->job;
    const FrontendGroup &g = (*call->groups)[call->group];
    rapidjson::Document r;
    if (status == SHD_OK) {
        r.Parse(result_json.data, result_json.size);
        // [null, [uid, ...]]
        if (r.HasParseError() || !r.IsArray() || r.Size() < 2 || !r[0].IsNull() || !r[1].IsArray())
            status = SHD_ERR_INTERNAL;
    }
    job.record(status);
    if (status == SHD_OK) {
        for (const auto &u : r[1].GetArray())
            if (u.IsString()) job.failed.emplace_back(u.GetString(), u.GetStringLength());
    } else {
        job.host.debug("channel push to " + g.frontend_id + " failed (" + status_name(status) +
                       "): " + std::string(to_view(result_json)));
        job.failed.insert(job.failed.end(), g.uids.begin(), g.uids.end());
    }
    job.release(true);
}

void PushFanOut::broadcast(const std::vector<std::string> &server_ids, std::string_view route,
                           std::string_view body_json, bool bound_only, shd_push_result_fn done, void *ud) const {
    auto job = std::make_shared<Job>(host_, done, ud);
    for (const std::string &id : server_ids) {
        if (id == self_id_) {
            job->record(local_.broadcast(route, body_json, bound_only));
        } else if (!rpc_) {
            job->record(SHD_ERR_UNSUPPORTED);
        } else {
            ++job->pending;
            rpc_->invoke(rctx_, to_shd(id), to_shd(""), to_shd("sys"), to_shd("channelRemote"), to_shd("broadcast"),
                         to_shd(remote_args(route, body_json, bound_only ? "true" : "false")), 0,
                         &PushFanOut::on_broadcast_result, new Call{job, nullptr, 0});
        }
    }
    job->release(false);
}

void SHD_CALL PushFanOut::on_broadcast_result(void *ud, shd_status status, shd_str result_json) {
    std::unique_ptr<Call> call(static_cast<Call *>(ud));
    if (status != SHD_OK)
        call->job->host.debug("channel broadcast failed (" + std::string(status_name(status)) +
                              "): " + std::string(to_view(result_json)));
    call->job->record(status);
    call->job->release(true);
}

}  // namespace shd::channel
